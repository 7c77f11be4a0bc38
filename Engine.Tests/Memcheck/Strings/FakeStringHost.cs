using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Origins;
using Memcheck.Engine.Tools.Memcheck.Replacements;

namespace Memcheck.Engine.Tests.MemcheckTool.Strings;

/// <summary>
/// Memcheck as the string replacements see it, over host memory: blocks the "guest" owns with noaccess redzones
/// around them (owned, as a heap block's are), and every report recorded as its text and site.
/// </summary>
public sealed unsafe class FakeStringHost : IStringCheckHost, IDisposable
{
    public const int Redzone = 64;

    private readonly List<(ulong Start, ulong End, bool Writable)> _owned = [];
    private readonly List<nint> _allocations = [];

    /// <summary>A host whose shadow tracks origins when <paramref name="trackOrigins"/>.</summary>
    public FakeStringHost(bool trackOrigins = false) => Shadow = new ShadowMemory(trackOrigins ? new OriginMemory() : null);

    public ShadowMemory Shadow { get; }
    public bool PartialLoadsOk { get; set; } = true;
    public List<(string Text, int Site)> Reports { get; } = [];
    public IEnumerable<string> Texts => Reports.Select(r => r.Text);

    /// <summary>
    /// A block of <paramref name="content"/> (64-byte aligned), defined, between two owned noaccess redzones of zero
    /// bytes; <paramref name="trailingOwned"/> false leaves the memory after the block unowned.
    /// </summary>
    public ulong Block(ReadOnlySpan<byte> content, bool writable = true, bool trailingOwned = true)
    {
        int total = Redzone + content.Length + Redzone;
        byte* raw = (byte*)NativeMemory.AlignedAlloc((nuint)total, Redzone);
        NativeMemory.Clear(raw, (nuint)total);
        _allocations.Add((nint)raw);
        ulong start = (ulong)raw + Redzone;
        content.CopyTo(new Span<byte>((void*)start, content.Length));
        ulong ownedEnd = trailingOwned ? (ulong)raw + (ulong)total : start + (ulong)content.Length;
        _owned.Add(((ulong)raw, ownedEnd, writable));
        Shadow.MakeDefined(start, (ulong)content.Length);
        return start;
    }

    public ulong Block(string content, bool writable = true) => Block(System.Text.Encoding.Latin1.GetBytes(content), writable);

    public ulong Zeroed(int size) => Block(new byte[size]);

    public byte[] Bytes(ulong address, int length) => new ReadOnlySpan<byte>((void*)address, length).ToArray();

    public bool CanRead(ulong address, ulong length) => Owned(address, length, write: false);
    public bool CanWrite(ulong address, ulong length) => Owned(address, length, write: true);

    public void InvalidRead(GuestState* state, int site, ulong address, int size) =>
        Reports.Add(($"Invalid read of size {size} at 0x{address:x}", site));

    public void InvalidWrite(GuestState* state, int site, ulong address, int size) =>
        Reports.Add(($"Invalid write of size {size} at 0x{address:x}", site));

    public void UninitialisedCondition(GuestState* state, int site, uint origin)
    {
        Reports.Add(("Conditional jump or move depends on uninitialised value(s)", site));
        Origins.Add(origin);
    }

    /// <summary>The origin tag of each undefined-condition report, in order.</summary>
    public List<uint> Origins { get; } = [];

    public void Overlap(GuestState* state, int site, string function, ulong destination, ulong source, ulong length) =>
        Reports.Add((StringReports.OverlapMessage(function, destination, source, length), site));

    public void Fault(GuestState* state, int site, ulong address) => Reports.Add(($"SIGSEGV at 0x{address:x}", site));

    public void BufferOverflow(GuestState* state, string function) =>
        Reports.Add((StringReports.BufferOverflowMessage(function), 0));

    /// <summary>
    /// Call the replacement the table gives libc's <paramref name="symbol"/> through its native entry point, with the
    /// tool handle pointing at this host, as generated code calls it.
    /// </summary>
    public ulong Call(string symbol, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0)
    {
        var helper = StringsTable.Replacements().Single(r => r.SonamePattern == "libc.so*" && r.Symbol == symbol).Helper;
        GCHandle handle = GCHandle.Alloc(this);
        GuestState* state = (GuestState*)NativeMemory.AllocZeroed((nuint)sizeof(GuestState));
        try
        {
            state->ToolHandle = GCHandle.ToIntPtr(handle);
            return helper.Function(state, a0, a1, a2, a3);
        }
        finally
        {
            NativeMemory.Free(state);
            handle.Free();
        }
    }

    private bool Owned(ulong address, ulong length, bool write)
    {
        foreach (var (start, end, writable) in _owned)
            if (address >= start && address + length <= end)
                return writable || !write;
        return false;
    }

    public void Dispose()
    {
        foreach (nint raw in _allocations)
            NativeMemory.AlignedFree((void*)raw);
        Shadow.Dispose();
    }
}
