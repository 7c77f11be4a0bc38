namespace Memcheck.Engine.DebugInfo;

/// <summary>The .debug_* sections a .debug_info reader needs, decompressed.</summary>
internal sealed record DwarfSections(byte[] Info, byte[] Abbrev, byte[] Str, byte[] LineStr, byte[] StrOffsets,
    byte[] Addr, byte[] Ranges, byte[] RngLists, byte[] Line, byte[] ARanges)
{
    public static DwarfSections From(ElfFile f) => new(f.Contents(".debug_info"), f.Contents(".debug_abbrev"),
        f.Contents(".debug_str"), f.Contents(".debug_line_str"), f.Contents(".debug_str_offsets"), f.Contents(".debug_addr"),
        f.Contents(".debug_ranges"), f.Contents(".debug_rnglists"), f.Contents(".debug_line"), f.Contents(".debug_aranges"));
}

/// <summary>One abbreviation: a DIE's tag, whether children follow, and its attributes' names and forms.</summary>
internal sealed record DwarfAbbrev(ulong Tag, bool HasChildren, DwarfAbbrev.Spec[] Attributes)
{
    public readonly record struct Spec(ulong Name, ulong Form, long ImplicitConst);
}

/// <summary>An attribute as read: its name, form and raw value (a number, or the offset of an inline string).</summary>
internal readonly record struct DwarfAttribute(ulong Name, ulong Form, ulong Value);

/// <summary>
/// One compilation unit of .debug_info (DWARF 2 to 5): its header, abbreviations and the bases its
/// unit DIE sets (str_offsets, addr, rnglists, low_pc), and the reading of attribute values by form.
/// </summary>
internal sealed class DwarfUnit
{
    public const ulong TagCompileUnit = 0x11;
    public const ulong AtName = 0x03, AtStmtList = 0x10, AtLowPc = 0x11, AtHighPc = 0x12, AtAbstractOrigin = 0x31,
        AtSpecification = 0x47, AtRanges = 0x55, AtCallFile = 0x58, AtCallLine = 0x59, AtStrOffsetsBase = 0x72,
        AtAddrBase = 0x73, AtRnglistsBase = 0x74;

    private const ulong FormAddr = 0x01, FormBlock2 = 0x03, FormBlock4 = 0x04, FormData2 = 0x05, FormData4 = 0x06,
        FormData8 = 0x07, FormString = 0x08, FormBlock = 0x09, FormBlock1 = 0x0a, FormData1 = 0x0b, FormFlag = 0x0c,
        FormSdata = 0x0d, FormStrp = 0x0e, FormUdata = 0x0f, FormRefAddr = 0x10, FormRef1 = 0x11, FormRef2 = 0x12,
        FormRef4 = 0x13, FormRef8 = 0x14, FormRefUdata = 0x15, FormIndirect = 0x16, FormSecOffset = 0x17,
        FormExprloc = 0x18, FormFlagPresent = 0x19, FormStrx = 0x1a, FormAddrx = 0x1b, FormRefSup4 = 0x1c,
        FormStrpSup = 0x1d, FormData16 = 0x1e, FormLineStrp = 0x1f, FormRefSig8 = 0x20, FormImplicitConst = 0x21,
        FormLoclistx = 0x22, FormRnglistx = 0x23, FormRefSup8 = 0x24, FormStrx1 = 0x25, FormStrx2 = 0x26,
        FormStrx3 = 0x27, FormStrx4 = 0x28, FormAddrx1 = 0x29, FormAddrx2 = 0x2a, FormAddrx3 = 0x2b, FormAddrx4 = 0x2c,
        FormGnuAddrIndex = 0x1f01, FormGnuStrIndex = 0x1f02;

    private readonly DwarfSections _s;
    private readonly Dictionary<ulong, DwarfAbbrev> _abbrevs;

    public int Offset { get; }
    public int End { get; }
    public int Version { get; }
    public bool Dwarf64 { get; }
    public int AddressSize { get; }
    /// <summary>Offset of the unit DIE.</summary>
    public int FirstDie { get; }
    public ulong Tag { get; }
    public ulong BaseAddress { get; }
    public ulong? StmtList { get; }
    /// <summary>The unit DIE's own attributes, resolved against the bases it sets.</summary>
    public IReadOnlyList<DwarfAttribute> UnitAttributes { get; }

    private ulong _strOffsetsBase, _addrBase, _rnglistsBase;

    public DwarfUnit(DwarfSections sections, int offset, Dictionary<ulong, Dictionary<ulong, DwarfAbbrev>> abbrevCache)
    {
        _s = sections;
        Offset = offset;
        var c = new DwarfCursor(sections.Info, offset);
        var (length, dwarf64) = c.UnitLength();
        Dwarf64 = dwarf64;
        End = c.Position + (int)length;
        Version = c.U16();
        ulong abbrevOffset;
        if (Version >= 5)
        {
            int unitType = c.U8();
            AddressSize = c.U8();
            abbrevOffset = c.Offset(dwarf64);
            if (unitType is 4 or 5) c.Skip(8); // skeleton and split units carry a dwo id
            else if (unitType is 2 or 6) { c.Skip(8); c.Offset(dwarf64); } // type units: signature, type offset
        }
        else
        {
            abbrevOffset = c.Offset(dwarf64);
            AddressSize = c.U8();
        }
        if (!abbrevCache.TryGetValue(abbrevOffset, out var abbrevs))
            abbrevCache[abbrevOffset] = abbrevs = ReadAbbrevs(sections.Abbrev, (int)abbrevOffset);
        _abbrevs = abbrevs;
        FirstDie = c.Position;

        // The unit DIE's strx/addrx/rnglistx values depend on bases it sets itself, possibly after them.
        var raw = new List<DwarfAttribute>();
        Tag = ReadDie(ref c, raw) is { } abbrev ? abbrev.Tag : 0;
        _strOffsetsBase = Version >= 5 ? 8UL : 0UL; // past the .debug_str_offsets header when no base is given
        foreach (var a in raw)
        {
            if (a.Name == AtStrOffsetsBase) _strOffsetsBase = a.Value;
            else if (a.Name == AtAddrBase) _addrBase = a.Value;
            else if (a.Name == AtRnglistsBase) _rnglistsBase = a.Value;
        }
        UnitAttributes = raw;
        foreach (var a in raw)
        {
            if (a.Name == AtLowPc) BaseAddress = Address(a);
            else if (a.Name == AtStmtList) StmtList = a.Value;
        }
    }

    public bool Contains(int dieOffset) => dieOffset >= FirstDie && dieOffset < End;

    /// <summary>
    /// Reads the DIE at the cursor into <paramref name="attributes"/> (cleared first); null for the
    /// null entry that ends a sibling list.
    /// </summary>
    public DwarfAbbrev? ReadDie(ref DwarfCursor c, List<DwarfAttribute> attributes)
    {
        attributes.Clear();
        ulong code = c.Uleb();
        if (code == 0) return null;
        if (!_abbrevs.TryGetValue(code, out var abbrev)) throw new InvalidDataException($"DWARF unit at 0x{Offset:x}: abbreviation {code} undefined");
        foreach (var spec in abbrev.Attributes)
        {
            ulong form = spec.Form;
            while (form == FormIndirect) form = c.Uleb();
            attributes.Add(new DwarfAttribute(spec.Name, form, form == FormImplicitConst ? (ulong)spec.ImplicitConst : ReadValue(ref c, form)));
        }
        return abbrev;
    }

    /// <summary>A DIE's attribute, or null.</summary>
    public static DwarfAttribute? Find(IReadOnlyList<DwarfAttribute> attributes, ulong name)
    {
        for (int i = 0; i < attributes.Count; i++) if (attributes[i].Name == name) return attributes[i];
        return null;
    }

    /// <summary>An address-class value: DW_FORM_addr, or an index into .debug_addr.</summary>
    public ulong Address(DwarfAttribute a) => a.Form switch
    {
        FormAddr => a.Value,
        FormAddrx or FormAddrx1 or FormAddrx2 or FormAddrx3 or FormAddrx4 or FormGnuAddrIndex => IndexedAddress(a.Value),
        _ => a.Value,
    };

    private ulong IndexedAddress(ulong index) => new DwarfCursor(_s.Addr, checked((int)(_addrBase + index * (ulong)AddressSize))).U64();

    /// <summary>DW_AT_high_pc: an address, or (DWARF 4+ constant forms) an offset from low_pc.</summary>
    public ulong HighPc(DwarfAttribute a, ulong lowPc) => a.Form is FormAddr or FormAddrx or FormAddrx1 or FormAddrx2 or FormAddrx3 or FormAddrx4 or FormGnuAddrIndex
        ? Address(a) : lowPc + a.Value;

    /// <summary>A string-class value, from the unit, .debug_str, .debug_line_str or through .debug_str_offsets.</summary>
    public string? String(DwarfAttribute a) => a.Form switch
    {
        FormString => DwarfCursor.CStringAt(_s.Info, a.Value),
        FormStrp => DwarfCursor.CStringAt(_s.Str, a.Value),
        FormLineStrp => DwarfCursor.CStringAt(_s.LineStr, a.Value),
        FormStrx or FormStrx1 or FormStrx2 or FormStrx3 or FormStrx4 or FormGnuStrIndex => DwarfCursor.CStringAt(_s.Str, StringOffset(a.Value)),
        _ => null,
    };

    /// <summary>A reference-class value as an offset into .debug_info, or null for references into other files.</summary>
    public int? Reference(DwarfAttribute a) => a.Form switch
    {
        FormRef1 or FormRef2 or FormRef4 or FormRef8 or FormRefUdata => Offset + (int)a.Value,
        FormRefAddr => (int)a.Value,
        _ => null,
    };

    /// <summary>The address ranges of DW_AT_ranges, relative to the unit's base address where the encoding says so.</summary>
    public IEnumerable<(ulong Start, ulong End)> Ranges(DwarfAttribute a)
    {
        var ranges = new List<(ulong, ulong)>();
        if (Version >= 5) ReadRngList(a, ranges);
        else ReadRanges((int)a.Value, ranges);
        return ranges;
    }

    private void ReadRanges(int offset, List<(ulong, ulong)> ranges)
    {
        var c = new DwarfCursor(_s.Ranges, offset);
        ulong baseAddress = BaseAddress;
        while (true)
        {
            ulong start = c.U64(), end = c.U64();
            if (start == 0 && end == 0) return;
            if (start == ulong.MaxValue) { baseAddress = end; continue; }
            ranges.Add((baseAddress + start, baseAddress + end));
        }
    }

    private void ReadRngList(DwarfAttribute a, List<(ulong, ulong)> ranges)
    {
        ulong offset = a.Value;
        if (a.Form == FormRnglistx)
        {
            var table = new DwarfCursor(_s.RngLists, checked((int)(_rnglistsBase + a.Value * (Dwarf64 ? 8UL : 4UL))));
            offset = _rnglistsBase + table.Offset(Dwarf64);
        }
        var c = new DwarfCursor(_s.RngLists, checked((int)offset));
        ulong baseAddress = BaseAddress;
        while (true)
        {
            switch (c.U8())
            {
                case 0: return;                                                          // end_of_list
                case 1: baseAddress = IndexedAddress(c.Uleb()); break;                   // base_addressx
                case 2: { ulong s = IndexedAddress(c.Uleb()); ranges.Add((s, IndexedAddress(c.Uleb()))); break; } // startx_endx
                case 3: { ulong s = IndexedAddress(c.Uleb()); ranges.Add((s, s + c.Uleb())); break; }             // startx_length
                case 4: { ulong s = c.Uleb(); ranges.Add((baseAddress + s, baseAddress + c.Uleb())); break; }     // offset_pair
                case 5: baseAddress = c.U64(); break;                                     // base_address
                case 6: { ulong s = c.U64(); ranges.Add((s, c.U64())); break; }         // start_end
                case 7: { ulong s = c.U64(); ranges.Add((s, s + c.Uleb())); break; }    // start_length
                default: throw new InvalidDataException($"DW_RLE 0x{_s.RngLists[c.Position - 1]:x} in .debug_rnglists");
            }
        }
    }

    private ulong StringOffset(ulong index)
    {
        var c = new DwarfCursor(_s.StrOffsets, checked((int)(_strOffsetsBase + index * (Dwarf64 ? 8UL : 4UL))));
        return c.Offset(Dwarf64);
    }

    /// <summary>A value's raw number; for inline strings and blocks the offset where they start (blocks are skipped).</summary>
    private ulong ReadValue(ref DwarfCursor c, ulong form)
    {
        switch (form)
        {
            case FormAddr: return AddressSize == 8 ? c.U64() : c.U32();
            case FormData1 or FormRef1 or FormFlag or FormStrx1 or FormAddrx1: return c.U8();
            case FormData2 or FormRef2 or FormStrx2 or FormAddrx2: return c.U16();
            case FormStrx3 or FormAddrx3: { ulong lo = c.U16(); return lo | (ulong)c.U8() << 16; }
            case FormData4 or FormRef4 or FormRefSup4 or FormStrx4 or FormAddrx4: return c.U32();
            case FormData8 or FormRef8 or FormRefSig8 or FormRefSup8: return c.U64();
            case FormSdata: return (ulong)c.Sleb();
            case FormUdata or FormRefUdata or FormStrx or FormAddrx or FormLoclistx or FormRnglistx or FormGnuAddrIndex or FormGnuStrIndex:
                return c.Uleb();
            case FormStrp or FormLineStrp or FormSecOffset or FormStrpSup: return c.Offset(Dwarf64);
            case FormRefAddr: return Version <= 2 ? (AddressSize == 8 ? c.U64() : c.U32()) : c.Offset(Dwarf64);
            case FormString: { ulong at = (ulong)c.Position; c.CString(); return at; }
            case FormFlagPresent: return 1;
            case FormData16: c.Skip(16); return 0;
            case FormBlock1: c.Skip(c.U8()); return 0;
            case FormBlock2: c.Skip(c.U16()); return 0;
            case FormBlock4: c.Skip((int)c.U32()); return 0;
            case FormBlock or FormExprloc: c.Skip((int)c.Uleb()); return 0;
            default: throw new InvalidDataException($"DW_FORM 0x{form:x} in .debug_info");
        }
    }

    private static Dictionary<ulong, DwarfAbbrev> ReadAbbrevs(byte[] section, int offset)
    {
        var abbrevs = new Dictionary<ulong, DwarfAbbrev>();
        var c = new DwarfCursor(section, offset);
        var specs = new List<DwarfAbbrev.Spec>();
        for (ulong code; (code = c.Uleb()) != 0;)
        {
            ulong tag = c.Uleb();
            bool children = c.U8() != 0;
            specs.Clear();
            for (ulong name, form; ((name = c.Uleb()) | (form = c.Uleb())) != 0;)
                specs.Add(new DwarfAbbrev.Spec(name, form, form == FormImplicitConst ? c.Sleb() : 0));
            abbrevs[code] = new DwarfAbbrev(tag, children, [.. specs]);
        }
        return abbrevs;
    }
}
