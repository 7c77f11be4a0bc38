using System.Buffers.Binary;
using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Core.Redirection;

/// <summary>A function an object defines, as redirection matches it: the name without its version, the link-time address.</summary>
internal readonly record struct CodeSymbol(string Name, ulong Address, bool IsIfunc);

/// <summary>
/// What redirection needs of one ELF object: its soname (DT_SONAME, "NONE" without one, as Valgrind names the
/// main program) and every function and IFUNC symbol of .dynsym and .symtab, the separate debug file's included.
/// Unlike the symbol table used for stacks, every name of an address is kept (malloc and __libc_malloc).
/// </summary>
internal sealed class ObjectSymbols
{
    public const string NoSoname = "NONE";
    private const long DtNull = 0, DtSoname = 14;
    private const byte SttFunc = 2, SttGnuIfunc = 10;
    private const int SymSize = 24, DynSize = 16;

    public string Soname { get; }
    public IReadOnlyList<CodeSymbol> Symbols { get; }

    private ObjectSymbols(string soname, IReadOnlyList<CodeSymbol> symbols)
    {
        Soname = soname;
        Symbols = symbols;
    }

    public static ObjectSymbols Read(string path, string? debugFilePath)
    {
        var file = ElfFile.Open(path);
        var symbols = new HashSet<CodeSymbol>();
        foreach (var f in debugFilePath is null ? [file] : new[] { file, ElfFile.Open(debugFilePath) })
        foreach (var table in new[] { ".dynsym", ".symtab" })
            if (f.Find(table) is { } section)
                symbols.UnionWith(Read(f.Contents(section), f.Contents(f.SectionAt(section.Link))));
        return new ObjectSymbols(SonameOf(file), [.. symbols]);
    }

    private static string SonameOf(ElfFile file)
    {
        byte[] dynamic = file.Contents(".dynamic"), strings = file.Contents(".dynstr");
        for (int p = 0; p + DynSize <= dynamic.Length; p += DynSize)
        {
            long tag = BinaryPrimitives.ReadInt64LittleEndian(dynamic.AsSpan(p));
            if (tag == DtNull) break;
            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(dynamic.AsSpan(p + 8));
            if (tag == DtSoname && value < (ulong)strings.Length) return DwarfCursor.CStringAt(strings, (uint)value);
        }
        return NoSoname;
    }

    private static IEnumerable<CodeSymbol> Read(byte[] table, byte[] strings)
    {
        for (int p = 0; p + SymSize <= table.Length; p += SymSize)
        {
            var e = table.AsSpan(p, SymSize);
            byte type = (byte)(e[4] & 0xf);
            ushort shndx = BinaryPrimitives.ReadUInt16LittleEndian(e[6..]);
            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(e[8..]);
            if (shndx == 0 || value == 0 || type is not (SttFunc or SttGnuIfunc)) continue;
            string name = DwarfCursor.CStringAt(strings, BinaryPrimitives.ReadUInt32LittleEndian(e));
            int version = name.IndexOf('@');
            if (version >= 0) name = name[..version];
            if (name.Length > 0) yield return new CodeSymbol(name, value, type == SttGnuIfunc);
        }
    }
}
