namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>The heap's tunables, defaults as Valgrind's (--redzone-size, --freelist-vol, --freelist-big-blocks).</summary>
public sealed record HeapOptions
{
    public ulong RedzoneSize { get; init; } = 16;
    public ulong FreelistVolume { get; init; } = 20_000_000;
    public ulong FreelistBigBlocks { get; init; } = 1_000_000;
    /// <summary>Alignment of plain malloc/new results (Valgrind's --alignment on amd64).</summary>
    public ulong DefaultAlignment { get; init; } = 16;

    public static HeapOptions From(MemcheckOptions options) => new()
    {
        FreelistVolume = (ulong)Math.Max(0, options.FreelistVol),
        FreelistBigBlocks = (ulong)Math.Max(0, options.FreelistBigBlocks),
    };

    /// <summary>Memcheck's heap from a session's options: its own plus the core's --redzone-size and --alignment.</summary>
    public static HeapOptions From(SessionOptions options) => From(options.Memcheck) with
    {
        RedzoneSize = (ulong)(options.RedzoneSize ?? 16),
        DefaultAlignment = (ulong)options.Alignment,
    };
}
