using System.Buffers.Binary;
using System.Text;

namespace Memcheck.Engine.Guest;

/// <summary>
/// The smallest ELF64 x86-64 shared object ld.so loads: one read-write PT_LOAD holding a dynamic section with a
/// soname, an empty symbol table and a one-bucket hash table, and a PT_GNU_STACK so loading it does not make the
/// stack executable. No code, no relocations, no initialisers: loaded, it only takes its place in the link map.
/// </summary>
public static class EmptySharedObject
{
    private const int PhdrOffset = ElfHeaderCheck.HeaderSize, PhdrCount = 3;
    private const int DynamicOffset = PhdrOffset + PhdrCount * ProgramHeader.EntrySize;
    private const int DynamicEntries = 7, DynamicEntrySize = 16;
    private const int HashOffset = DynamicOffset + DynamicEntries * DynamicEntrySize, HashSize = 16;
    private const int SymbolTableOffset = HashOffset + HashSize, SymbolSize = 24;
    private const int StringTableOffset = SymbolTableOffset + SymbolSize;
    private const long DtNull = 0, DtHash = 4, DtStrtab = 5, DtSymtab = 6, DtStrsz = 10, DtSyment = 11, DtSoname = 14;
    private const ushort MachineX86_64 = 62;

    /// <summary>The file's bytes, its DT_SONAME <paramref name="soname"/>.</summary>
    public static byte[] Image(string soname)
    {
        byte[] strings = Encoding.UTF8.GetBytes("\0" + soname + "\0");
        var file = new byte[StringTableOffset + strings.Length];
        var span = file.AsSpan();

        "\u007fELF"u8.CopyTo(span);
        span[4] = 2; // ELFCLASS64
        span[5] = 1; // little-endian
        span[6] = 1; // EV_CURRENT
        U16(span, 16, (ushort)ElfType.Dyn);
        U16(span, 18, MachineX86_64);
        U32(span, 20, 1);
        U64(span, 32, PhdrOffset);
        U16(span, 52, ElfHeaderCheck.HeaderSize);
        U16(span, 54, ProgramHeader.EntrySize);
        U16(span, 56, PhdrCount);

        const uint ReadWrite = ProgramHeader.PfR | ProgramHeader.PfW;
        Header(span, 0, new ProgramHeader(ProgramHeader.PtLoad, ReadWrite, 0, 0, (ulong)file.Length, (ulong)file.Length, 0x1000));
        const ulong dynamicSize = DynamicEntries * DynamicEntrySize;
        Header(span, 1, new ProgramHeader(ProgramHeader.PtDynamic, ReadWrite, DynamicOffset, DynamicOffset, dynamicSize, dynamicSize, 8));
        Header(span, 2, new ProgramHeader(ProgramHeader.PtGnuStack, ReadWrite, 0, 0, 0, 0, 16));

        (long Tag, ulong Value)[] dynamic =
        [
            (DtHash, HashOffset), (DtStrtab, StringTableOffset), (DtSymtab, SymbolTableOffset), (DtStrsz, (ulong)strings.Length),
            (DtSyment, SymbolSize), (DtSoname, 1), (DtNull, 0),
        ];
        for (int i = 0; i < dynamic.Length; i++)
        {
            U64(span, DynamicOffset + i * DynamicEntrySize, (ulong)dynamic[i].Tag);
            U64(span, DynamicOffset + i * DynamicEntrySize + 8, dynamic[i].Value);
        }
        U32(span, HashOffset, 1);     // nbucket; the bucket and the chain of symbol 0 stay STN_UNDEF
        U32(span, HashOffset + 4, 1); // nchain: the null symbol
        strings.CopyTo(span[StringTableOffset..]);
        return file;
    }

    private static void Header(Span<byte> file, int index, ProgramHeader h)
    {
        var e = file.Slice(PhdrOffset + index * ProgramHeader.EntrySize, ProgramHeader.EntrySize);
        U32(e, 0, h.Type);
        U32(e, 4, h.Flags);
        U64(e, 8, h.Offset);
        U64(e, 16, h.VirtualAddress);
        U64(e, 24, h.VirtualAddress);
        U64(e, 32, h.FileSize);
        U64(e, 40, h.MemorySize);
        U64(e, 48, h.Align);
    }

    private static void U16(Span<byte> s, int at, ushort v) => BinaryPrimitives.WriteUInt16LittleEndian(s[at..], v);
    private static void U32(Span<byte> s, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(s[at..], v);
    private static void U64(Span<byte> s, int at, ulong v) => BinaryPrimitives.WriteUInt64LittleEndian(s[at..], v);
}
