namespace Memcheck.Engine.Guest;

/// <summary>One ELF64 program header with raw type and flags (ELFSharp names only some types).</summary>
public readonly record struct ProgramHeader(uint Type, uint Flags, ulong Offset, ulong VirtualAddress, ulong FileSize, ulong MemorySize, ulong Align)
{
    public const uint PtLoad = 1, PtDynamic = 2, PtInterp = 3, PtNote = 4, PtPhdr = 6, PtTls = 7;
    public const uint PtGnuEhFrame = 0x6474e550, PtGnuStack = 0x6474e551, PtGnuRelro = 0x6474e552, PtGnuProperty = 0x6474e553;
    public const uint PfX = 1, PfW = 2, PfR = 4;
    /// <summary>Size of an ELF64 program header entry.</summary>
    public const int EntrySize = 56;

    public ulong End => VirtualAddress + MemorySize;

    public PageProtection Protection =>
        ((Flags & PfR) != 0 ? PageProtection.Read : 0)
        | ((Flags & PfW) != 0 ? PageProtection.Write : 0)
        | ((Flags & PfX) != 0 ? PageProtection.Execute : 0);
}

public enum ElfType : ushort
{
    Exec = 2,
    Dyn = 3,
}
