using System.Buffers.Binary;

namespace Memcheck.Engine.Guest;

/// <summary>
/// Validates the raw ELF header and program headers before ELFSharp sees the file, so bad input
/// becomes one clear message instead of an exception from deep inside the parser.
/// </summary>
internal static class ElfHeaderCheck
{
    public const int HeaderSize = 64;
    private const ushort MachineX86_64 = 62;

    /// <summary>The problem with the file, as the tail of the user message, or null when it is loadable.</summary>
    public static string? Problem(ReadOnlySpan<byte> file)
    {
        if (file.Length < 4 || file[0] != 0x7f || file[1] != (byte)'E' || file[2] != (byte)'L' || file[3] != (byte)'F')
            return "not an ELF file";
        if (file.Length < 7) return "truncated ELF file";
        if (file[4] == 1) return "32-bit ELF programs are not supported";
        if (file[4] != 2) return "not an ELF file";
        if (file[5] != 1) return "not an x86-64 program";
        if (file[6] != 1) return "not an ELF file";
        if (file.Length < HeaderSize) return "truncated ELF file";

        ushort type = U16(file, 16);
        if (U16(file, 18) != MachineX86_64) return "not an x86-64 program";
        if (type is not ((ushort)ElfType.Exec or (ushort)ElfType.Dyn)) return "not an executable program";
        ulong phoff = U64(file, 32);
        ushort phentsize = U16(file, 54), phnum = U16(file, 56);
        if (phentsize != ProgramHeader.EntrySize || phnum == 0 || phoff > (ulong)file.Length
            || (ulong)phnum * ProgramHeader.EntrySize > (ulong)file.Length - phoff)
            return "corrupt program headers";
        return SegmentProblem(ReadProgramHeaders(file, phoff, phnum), (ulong)file.Length);
    }

    /// <summary>
    /// Whether the section header table and the sections it describes lie inside the file, with a
    /// string table where e_shstrndx points. The kernel ignores sections, so a program with a bad
    /// table still runs; only its sections are hidden (ELFSharp throws on such tables, and reads
    /// garbage when there is none).
    /// </summary>
    public static bool SectionTableIsSound(ReadOnlySpan<byte> file)
    {
        const int SectionHeaderSize = 64, ShtNobits = 8, ShtStrtab = 3;
        ulong shoff = U64(file, 40);
        ushort shentsize = U16(file, 58), shnum = U16(file, 60), shstrndx = U16(file, 62);
        if (shentsize != SectionHeaderSize || shoff > (ulong)file.Length
            || shnum == 0 || (ulong)shnum * SectionHeaderSize > (ulong)file.Length - shoff || shstrndx >= shnum)
            return false;
        for (int i = 0; i < shnum; i++)
        {
            var sh = file.Slice((int)shoff + i * SectionHeaderSize, SectionHeaderSize);
            uint type = U32(sh, 4);
            ulong offset = U64(sh, 24), size = U64(sh, 32);
            if (i == shstrndx && type != ShtStrtab) return false;
            if (type != ShtNobits && i != 0 && (offset > (ulong)file.Length || size > (ulong)file.Length - offset)) return false;
        }
        return true;
    }

    /// <summary>
    /// A copy of the file with its section table replaced by an empty one (a null section and the
    /// string table naming it) appended at the end, for ELFSharp, which cannot do without a table.
    /// </summary>
    public static byte[] WithoutSections(byte[] file)
    {
        int tableOffset = (file.Length + 7) & ~7, stringsOffset = tableOffset + 2 * 64;
        var copy = new byte[stringsOffset + 1];
        file.CopyTo(copy, 0);
        var strtab = copy.AsSpan(tableOffset + 64, 64);
        BinaryPrimitives.WriteUInt32LittleEndian(strtab[4..], 3);
        BinaryPrimitives.WriteUInt64LittleEndian(strtab[24..], (ulong)stringsOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(strtab[32..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(strtab[48..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(40), (ulong)tableOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(58), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(60), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(62), 1);
        return copy;
    }

    public static ProgramHeader[] ReadProgramHeaders(ReadOnlySpan<byte> file, ulong phoff, int phnum)
    {
        var headers = new ProgramHeader[phnum];
        for (int i = 0; i < phnum; i++)
        {
            var h = file.Slice((int)phoff + i * ProgramHeader.EntrySize, ProgramHeader.EntrySize);
            headers[i] = new ProgramHeader(U32(h, 0), U32(h, 4), U64(h, 8), U64(h, 16), U64(h, 32), U64(h, 40), U64(h, 48));
        }
        return headers;
    }

    private static string? SegmentProblem(ProgramHeader[] headers, ulong fileLength)
    {
        ulong previousEnd = 0;
        bool anyLoad = false;
        foreach (var h in headers)
        {
            if (h.Type is not (ProgramHeader.PtLoad or ProgramHeader.PtInterp or ProgramHeader.PtPhdr or ProgramHeader.PtTls))
                continue;
            if (h.Offset > fileLength || h.FileSize > fileLength - h.Offset) return "truncated ELF file";
            if (h.Type != ProgramHeader.PtLoad) continue;
            if (h.FileSize > h.MemorySize || h.MemorySize == 0 || h.VirtualAddress + h.MemorySize < h.VirtualAddress
                || h.End > PageMap.AddressLimit)
                return "corrupt program headers";
            if (h.Align > 1 && ((h.Align & (h.Align - 1)) != 0 || (h.VirtualAddress - h.Offset) % h.Align != 0))
                return "corrupt program headers";
            if ((h.VirtualAddress & PageMap.PageMask) != (h.Offset & PageMap.PageMask)) return "corrupt program headers";
            if (anyLoad && h.VirtualAddress < previousEnd) return "corrupt program headers";
            previousEnd = h.End;
            anyLoad = true;
        }
        return anyLoad ? null : "corrupt program headers";
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
}
