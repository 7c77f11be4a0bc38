using Memcheck.Engine.Core;

namespace Memcheck.Engine.Ir;

/// <summary>
/// Reads a tool's addressability map (the layout <see cref="AccessCheck"/> fixes) in C#: the interpreter's
/// counterpart of the check generated code inlines.
/// </summary>
public static unsafe class AddressabilityMap
{
    public const int PrimaryShift = 28;
    public const ulong PrimaryEntries = 1UL << 19;
    public const int ChunkShift = 16;
    public const int MiddleMask = 0xFFF;
    public const int ChunkMask = 0xFFFF;

    /// <summary>Whether every byte of [address, address + size) is addressable.</summary>
    public static bool AllAddressable(nint primary, ulong address, int size)
    {
        for (int i = 0; i < size; i++)
            if (!IsAddressable(primary, address + (ulong)i)) return false;
        return true;
    }

    public static bool IsAddressable(nint primary, ulong address)
    {
        ulong top = address >> PrimaryShift;
        if (top >= PrimaryEntries) return false;
        byte** middle = ((byte***)primary)[top];
        byte* secondary = middle[(address >> ChunkShift) & MiddleMask];
        int offset = (int)(address & ChunkMask);
        return ((secondary[offset >> 2] >> (2 * (offset & 3))) & 3) != 0;
    }
}
