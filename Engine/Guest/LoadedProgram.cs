namespace Memcheck.Engine.Guest;

/// <summary>A program placed in a <see cref="GuestAddressSpace"/>, ready for its first instruction.</summary>
public sealed record LoadedProgram
{
    /// <summary>Where execution starts: the interpreter's entry when there is one, else the program's.</summary>
    public required ulong Entry { get; init; }
    public required ulong InitialRsp { get; init; }
    /// <summary>Absolute path of the executable (what /proc/self/exe shows).</summary>
    public required string ExecutablePath { get; init; }
    /// <summary>Difference between the program's link-time and run-time addresses (0 for ET_EXEC).</summary>
    public required ulong LoadBias { get; init; }
    /// <summary>Load address of the interpreter (AT_BASE), 0 when the program is static.</summary>
    public required ulong InterpreterBase { get; init; }
    public required ulong PhdrAddress { get; init; }
    public required ulong BrkStart { get; init; }
    /// <summary>The stack occupies [StackLimit, StackTop).</summary>
    public required ulong StackTop { get; init; }
    public required ulong StackLimit { get; init; }
    /// <summary>The auxiliary vector as placed on the stack, AT_NULL last (for /proc/self/auxv).</summary>
    public required IReadOnlyList<(ulong Type, ulong Value)> Auxv { get; init; }
    public required ElfImage Executable { get; init; }
    public ElfImage? Interpreter { get; init; }

    /// <summary>The auxiliary vector as /proc/self/auxv holds it: (type, value) pairs of little-endian 64-bit words.</summary>
    public byte[] AuxvBytes()
    {
        var bytes = new byte[Auxv.Count * 16];
        for (int i = 0; i < Auxv.Count; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 16), Auxv[i].Type);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 16 + 8), Auxv[i].Value);
        }
        return bytes;
    }
}
