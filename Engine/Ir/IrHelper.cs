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
    /// <summary>The case generated code may answer itself, without the call (see <see cref="MapFastPath"/>).</summary>
    public MapFastPath? FastPath { get; init; }
    /// <summary>What generated code may do itself instead of the call (see <see cref="MapFill"/>).</summary>
    public MapFill? Fill { get; init; }
    /// <summary>A load or store of memory's tags that generated code does itself (see <see cref="TagMapAccess"/>).</summary>
    public TagMapAccess? Tags { get; init; }
    /// <summary>Where generated code finds recent results of this pure one-argument helper (see <see cref="ResultCache"/>).</summary>
    public ResultCache? Cache { get; init; }

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

/// <summary>
/// A case of a helper that generated code answers inline: when the naturally aligned <see cref="Size"/> bytes at the
/// address in argument <see cref="AddressArg"/> all have the 2-bit state <see cref="State"/> in a tool's byte map (the
/// layout <see cref="Core.AccessCheck"/> fixes, its primary table the constant argument <see cref="PrimaryArg"/>), and
/// argument <see cref="ZeroArg"/> (when not -1) is 0, the call would do nothing and return 0, so it is not made.
/// With <see cref="OrFrom"/> (not -1, sizes 4 and up), bytes that all hold that state instead, in a secondary that is
/// not shared (<see cref="Core.AccessCheck.SharedSecondaries"/>), are set to <see cref="State"/> by generated code:
/// the call would do just that. Memcheck's V-bit loads and stores of fully defined memory are this case, and a
/// defined store to undefined memory (a push onto new stack) the second.
/// </summary>
public sealed record MapFastPath(int AddressArg, int PrimaryArg, int Size, int State, int ZeroArg = -1, int OrFrom = -1);

/// <summary>
/// A helper that only sets the 2-bit state of every byte of [address, address + length) to <see cref="State"/> in
/// the access check's map (arguments <see cref="AddressArg"/> and <see cref="LengthArg"/>) and returns 0. Generated
/// code does it itself for an 8-aligned address and a constant length of 8, 16 or a multiple of 32 up to 256 within
/// one chunk, when the chunk's secondary is not a shared one and no byte is in state 3 (which a tool may keep side
/// data for); otherwise it calls. Memcheck's new and dead stack (a call's red zone, pushes and pops) is this case.
/// </summary>
public sealed record MapFill(int AddressArg, int LengthArg, int State)
{
    /// <summary>
    /// When set, the helper also gives the range's words a tag in a <see cref="WordTagMap"/>, and generated code does that
    /// too, when the chunk has tags of its own (or the range loses its tags).
    /// </summary>
    public TagFill? Tags { get; init; }


    public static bool InlineLength(ulong length) => length is 8 or 16 || (length % 32 == 0 && length is > 0 and <= 256);
}

/// <summary>
/// The tag part of a <see cref="MapFill"/>: the words of the range take the tag in argument <see cref="TagArg"/> in the
/// <see cref="WordTagMap"/> at <see cref="Primary"/>, all their bytes marked; with <see cref="TagArg"/> -1 (or a tag of
/// 0) the range's bytes lose their tags instead.
/// </summary>
public sealed record TagFill(nint Primary, int TagArg = -1);

/// <summary>
/// A helper that only reads or writes the tags of [address, address + size) in a <see cref="WordTagMap"/> (its primary
/// the constant argument <see cref="PrimaryArg"/>, the size the constant argument <see cref="SizeArg"/>). A load
/// (<see cref="TagArg"/> -1) returns the largest tag among the words with a marked byte read, or 0; a store gives the
/// words the tag in <see cref="TagArg"/> and marks the bytes written, or unmarks them for tag 0. Generated code does it
/// itself for 1, 2 and 4 bytes naturally aligned and 8 and 16 bytes 4-aligned within a chunk, except for a store of a
/// tag into the shared all-zero secondary, which needs the helper to give the chunk its own.
/// </summary>
public sealed record TagMapAccess(int AddressArg, int SizeArg, int PrimaryArg, int TagArg = -1)
{
    public bool IsStore => TagArg >= 0;

    public static bool InlineSize(ulong size) => size is 1 or 2 or 4 or 8 or 16;
}

/// <summary>
/// Recent results of a pure one-argument helper, kept where generated code looks them up before calling:
/// <see cref="Entries"/> (a power of two) pairs of 64-bit words (argument, result) from <see cref="Table"/>, argument a
/// in entry <see cref="IndexOf"/>. An entry holding the argument and a result other than 0 answers the call; the
/// helper fills the entries. Memcheck's origin tag for the stack a return's target makes is such a helper.
/// </summary>
public sealed record ResultCache(nint Table, int Entries)
{
    public const int Shift = 12;

    public static int IndexOf(ulong argument, int entries) => (int)((argument ^ (argument >> Shift)) & (ulong)(entries - 1));
}
