using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Ir;

/// <summary>
/// A C# function generated code and the interpreter call by address. Every helper has the one
/// native signature <c>ulong f(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)</c>,
/// implemented as an <c>[UnmanagedCallersOnly]</c> static method, so both execution paths call
/// the same code. Pure helpers read only their arguments; dirty ones declare what they touch so
/// tools can instrument the call (memcheck: definedness of the state ranges and memory).
/// </summary>
public sealed unsafe class IrHelper
{
    public const int MaxArgs = 4;

    public string Name { get; }
    public delegate* unmanaged<GuestState*, ulong, ulong, ulong, ulong, ulong> Function { get; }
    public int ArgCount { get; }
    public bool IsPure { get; }
    /// <summary>Guest-state byte ranges (offset, size) the helper reads.</summary>
    public IReadOnlyList<(int Offset, int Size)> StateReads { get; }
    /// <summary>Guest-state byte ranges (offset, size) the helper writes.</summary>
    public IReadOnlyList<(int Offset, int Size)> StateWrites { get; }
    /// <summary>Memory the helper reads or writes: (argument index holding the address, size in bytes).</summary>
    public (int AddrArg, int Size)? MemoryRead { get; init; }
    public (int AddrArg, int Size)? MemoryWrite { get; init; }

    public IrHelper(string name, delegate* unmanaged<GuestState*, ulong, ulong, ulong, ulong, ulong> function,
        int argCount, bool isPure,
        IReadOnlyList<(int Offset, int Size)>? stateReads = null,
        IReadOnlyList<(int Offset, int Size)>? stateWrites = null)
    {
        if (argCount is < 0 or > MaxArgs) throw new ArgumentOutOfRangeException(nameof(argCount));
        Name = name;
        Function = function;
        ArgCount = argCount;
        IsPure = isPure;
        StateReads = stateReads ?? [];
        StateWrites = stateWrites ?? [];
    }

    public override string ToString() => Name;
}
