using System.Buffers.Binary;

namespace Memcheck.Engine.DebugInfo;

/// <summary>A named range of an object, at its link-time (unbiased) address.</summary>
public readonly record struct ElfSymbol(ulong Address, ulong Size, string Name, bool IsFunction, bool IsGlobal);

/// <summary>
/// An object's function and data symbols from .symtab and .dynsym, one name per address chosen by
/// Valgrind's preference rules, sorted for address lookup.
/// </summary>
internal sealed class SymbolTable
{
    private const byte SttObject = 1, SttFunc = 2, SttTls = 6, SttGnuIfunc = 10;
    private const byte StbGlobal = 1, StbWeak = 2;
    private const int SymSize = 24;

    private readonly ElfSymbol[] _symbols;

    public SymbolTable(IEnumerable<ElfFile> files)
    {
        var byAddress = new Dictionary<(ulong, bool), ElfSymbol>();
        foreach (var file in files)
        foreach (var table in new[] { ".symtab", ".dynsym" })
        {
            if (file.Find(table) is not { } section) continue;
            var strings = file.Contents(file.SectionAt(section.Link));
            foreach (var sym in Read(file.Contents(section), strings))
            {
                var key = (sym.Address, sym.IsFunction);
                byAddress[key] = byAddress.TryGetValue(key, out var old) && Prefer(old, sym) ? old : sym;
            }
        }
        _symbols = [.. byAddress.Values.OrderBy(s => s.Address)];
    }

    public int Count => _symbols.Length;

    /// <summary>The function containing the link-time address, if any.</summary>
    public ElfSymbol? FunctionAt(ulong address)
    {
        int lo = 0, hi = _symbols.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_symbols[mid].Address <= address) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        // Nested or overlapping ranges: look back from the closest start for one that still covers the address.
        for (int i = found; i >= 0 && found - i < 64; i--)
        {
            var s = _symbols[i];
            if (s.IsFunction && address < s.Address + Math.Max(s.Size, 1)) return s;
        }
        return null;
    }

    /// <summary>The data object containing the link-time address, if any (for "is N bytes inside data symbol").</summary>
    public ElfSymbol? DataAt(ulong address) =>
        _symbols.Where(s => !s.IsFunction && address >= s.Address && address < s.Address + Math.Max(s.Size, 1))
            .Cast<ElfSymbol?>().FirstOrDefault();

    private static IEnumerable<ElfSymbol> Read(byte[] table, byte[] strings)
    {
        for (int p = 0; p + SymSize <= table.Length; p += SymSize)
        {
            var e = table.AsSpan(p, SymSize);
            byte info = e[4];
            byte type = (byte)(info & 0xf), bind = (byte)(info >> 4);
            ushort shndx = BinaryPrimitives.ReadUInt16LittleEndian(e[6..]);
            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(e[8..]), size = BinaryPrimitives.ReadUInt64LittleEndian(e[16..]);
            // Undefined symbols and TLS offsets are not addresses in this object.
            if (shndx == 0 || value == 0 || type == SttTls || type is not (SttFunc or SttGnuIfunc or SttObject)) continue;
            string name = DwarfCursor.CStringAt(strings, BinaryPrimitives.ReadUInt32LittleEndian(e));
            if (name.Length == 0) continue;
            yield return new ElfSymbol(value, size, name, type != SttObject, bind is StbGlobal or StbWeak);
        }
    }

    /// <summary>
    /// Valgrind's choice between two names for one address: the default version (name@@VER) first,
    /// then a global over a local, then fewer leading underscores, then the shorter, then the
    /// alphabetically first so the choice never depends on table order.
    /// </summary>
    internal static bool Prefer(ElfSymbol a, ElfSymbol b)
    {
        bool aDefault = a.Name.Contains("@@"), bDefault = b.Name.Contains("@@");
        if (aDefault != bDefault) return aDefault;
        if (a.IsGlobal != b.IsGlobal) return a.IsGlobal;
        int aUnderscores = a.Name.Length - a.Name.TrimStart('_').Length, bUnderscores = b.Name.Length - b.Name.TrimStart('_').Length;
        if (aUnderscores != bUnderscores) return aUnderscores < bUnderscores;
        if (a.Name.Length != b.Name.Length) return a.Name.Length < b.Name.Length;
        return string.CompareOrdinal(a.Name, b.Name) <= 0;
    }
}
