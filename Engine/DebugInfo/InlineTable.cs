namespace Memcheck.Engine.DebugInfo;

/// <summary>One inlined call containing an address: the inlined function's name and where it was called from.</summary>
internal readonly record struct InlinedCall(string Function, string? CallFile, int CallLine);

/// <summary>
/// The inlined calls (DW_TAG_inlined_subroutine) of an object's .debug_info. Lazy: a lookup finds the
/// unit covering the address through .debug_aranges (else the units' own ranges) and reads only that
/// unit, once; names come from the abstract origin (through specification), as Valgrind shows them.
/// </summary>
internal sealed class InlineTable
{
    private const ulong TagInlinedSubroutine = 0x1d;
    private const int MaxOriginChain = 8;

    private readonly DwarfSections _s;
    private readonly Dictionary<ulong, Dictionary<ulong, DwarfAbbrev>> _abbrevCache = new();
    private readonly Dictionary<int, DwarfUnit> _units = new();
    private readonly Dictionary<int, UnitCalls> _calls = new();
    private readonly Dictionary<int, string> _names = new();
    private readonly Lazy<int[]> _unitOffsets;
    private readonly Lazy<UnitRange[]> _unitRanges;

    private readonly record struct UnitRange(ulong Start, ulong End, int Unit);

    /// <summary>One address range of an inlined call; Depth orders nested calls (deeper is more inner).</summary>
    private readonly record struct Call(ulong Start, ulong End, int Depth, int? Origin, ulong CallFile, int CallLine);

    private sealed record UnitCalls(Call[] Calls, IReadOnlyList<string> Files, int FileBase);

    public InlineTable(DwarfSections sections)
    {
        _s = sections;
        _unitOffsets = new Lazy<int[]>(ReadUnitOffsets);
        _unitRanges = new Lazy<UnitRange[]>(ReadUnitRanges);
    }

    /// <summary>The inlined calls containing the link-time address, innermost first; empty outside inlined code.</summary>
    public IReadOnlyList<InlinedCall> At(ulong address)
    {
        if (UnitAt(address) is not { } unitOffset) return [];
        if (!_calls.TryGetValue(unitOffset, out var unitCalls)) _calls[unitOffset] = unitCalls = ReadCalls(Unit(unitOffset));
        // Stacks are captured at every allocation: a plain scan, no per-lookup sorting of the unit.
        var containing = new List<Call>();
        foreach (var call in unitCalls.Calls)
            if (call.Start <= address && address < call.End) containing.Add(call);
        if (containing.Count == 0) return [];
        containing.Sort((a, b) => b.Depth.CompareTo(a.Depth));
        var result = new InlinedCall[containing.Count];
        for (int i = 0; i < result.Length; i++)
        {
            var call = containing[i];
            int file = (int)call.CallFile - unitCalls.FileBase;
            string? callFile = file >= 0 && file < unitCalls.Files.Count ? unitCalls.Files[file] : null;
            result[i] = new InlinedCall(call.Origin is { } o ? Name(o) : "???", callFile, call.CallLine);
        }
        return result;
    }

    private int? UnitAt(ulong address)
    {
        var ranges = _unitRanges.Value;
        int lo = 0, hi = ranges.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (ranges[mid].Start <= address) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        return found >= 0 && address < ranges[found].End ? ranges[found].Unit : null;
    }

    private DwarfUnit Unit(int offset)
    {
        if (!_units.TryGetValue(offset, out var unit)) _units[offset] = unit = new DwarfUnit(_s, offset, _abbrevCache);
        return unit;
    }

    /// <summary>Every inlined call of the unit, with its ranges and nesting depth, and the unit's file table.</summary>
    private UnitCalls ReadCalls(DwarfUnit unit)
    {
        var calls = new List<Call>();
        var attributes = new List<DwarfAttribute>();
        var c = new DwarfCursor(_s.Info.AsSpan(0, unit.End), unit.FirstDie);
        int depth = 0;
        while (!c.AtEnd)
        {
            var abbrev = unit.ReadDie(ref c, attributes);
            if (abbrev is null) { if (--depth <= 0) break; continue; }
            if (abbrev.Tag == TagInlinedSubroutine) AddCall(unit, depth, attributes, calls);
            if (abbrev.HasChildren) depth++;
        }
        var files = unit.StmtList is { } stmt && _s.Line.Length > 0
            ? LineTable.FileNames(_s.Line, (int)stmt, _s.LineStr, _s.Str)
            : (Files: (IReadOnlyList<string>)[], FileBase: 1);
        return new UnitCalls([.. calls], files.Files, files.FileBase);
    }

    private static void AddCall(DwarfUnit unit, int depth, List<DwarfAttribute> attributes, List<Call> calls)
    {
        int? origin = DwarfUnit.Find(attributes, DwarfUnit.AtAbstractOrigin) is { } o ? unit.Reference(o) : null;
        ulong callFile = DwarfUnit.Find(attributes, DwarfUnit.AtCallFile)?.Value ?? 0;
        int callLine = (int)(DwarfUnit.Find(attributes, DwarfUnit.AtCallLine)?.Value ?? 0);
        if (DwarfUnit.Find(attributes, DwarfUnit.AtRanges) is { } ranges)
        {
            foreach (var (start, end) in unit.Ranges(ranges)) calls.Add(new Call(start, end, depth, origin, callFile, callLine));
        }
        else if (DwarfUnit.Find(attributes, DwarfUnit.AtLowPc) is { } low)
        {
            ulong start = unit.Address(low);
            ulong end = DwarfUnit.Find(attributes, DwarfUnit.AtHighPc) is { } high ? unit.HighPc(high, start) : start + 1;
            calls.Add(new Call(start, end, depth, origin, callFile, callLine));
        }
    }

    private string Name(int origin)
    {
        if (!_names.TryGetValue(origin, out var name)) _names[origin] = name = NameOf(origin) ?? "???";
        return name;
    }

    /// <summary>DW_AT_name of the DIE, following abstract_origin and specification to where the name is.</summary>
    private string? NameOf(int die)
    {
        var attributes = new List<DwarfAttribute>();
        for (int hop = 0; hop < MaxOriginChain; hop++)
        {
            var unit = UnitContaining(die);
            if (unit is null) return null;
            var c = new DwarfCursor(_s.Info.AsSpan(0, unit.End), die);
            unit.ReadDie(ref c, attributes);
            if (DwarfUnit.Find(attributes, DwarfUnit.AtName) is { } name) return unit.String(name);
            var next = DwarfUnit.Find(attributes, DwarfUnit.AtAbstractOrigin) ?? DwarfUnit.Find(attributes, DwarfUnit.AtSpecification);
            if (next is null || unit.Reference(next.Value) is not { } target) return null;
            die = target;
        }
        return null;
    }

    private DwarfUnit? UnitContaining(int die)
    {
        var offsets = _unitOffsets.Value;
        int i = Array.BinarySearch(offsets, die);
        if (i < 0) i = ~i - 1;
        if (i < 0) return null;
        var unit = Unit(offsets[i]);
        return unit.Contains(die) ? unit : null;
    }

    /// <summary>The start of every unit in .debug_info, from their length fields alone.</summary>
    private int[] ReadUnitOffsets()
    {
        var offsets = new List<int>();
        for (int at = 0; at < _s.Info.Length;)
        {
            offsets.Add(at);
            var c = new DwarfCursor(_s.Info, at);
            var (length, _) = c.UnitLength();
            at = c.Position + (int)length;
        }
        return [.. offsets];
    }

    /// <summary>Address ranges to units: .debug_aranges when present, else each unit DIE's low/high pc or ranges.</summary>
    private UnitRange[] ReadUnitRanges()
    {
        var ranges = new List<UnitRange>();
        if (_s.ARanges.Length > 0) ReadARanges(ranges);
        else
        {
            foreach (int offset in _unitOffsets.Value)
            {
                var unit = Unit(offset);
                if (unit.Tag != DwarfUnit.TagCompileUnit) continue;
                var attributes = unit.UnitAttributes;
                if (DwarfUnit.Find(attributes, DwarfUnit.AtRanges) is { } r)
                    foreach (var (start, end) in unit.Ranges(r)) ranges.Add(new UnitRange(start, end, offset));
                else if (DwarfUnit.Find(attributes, DwarfUnit.AtHighPc) is { } high)
                    ranges.Add(new UnitRange(unit.BaseAddress, unit.HighPc(high, unit.BaseAddress), offset));
            }
        }
        return [.. ranges.Where(r => r.End > r.Start).OrderBy(r => r.Start)];
    }

    private void ReadARanges(List<UnitRange> ranges)
    {
        for (int set = 0; set < _s.ARanges.Length;)
        {
            var c = new DwarfCursor(_s.ARanges, set);
            var (length, dwarf64) = c.UnitLength();
            int end = c.Position + (int)length;
            c.U16(); // version
            int unit = (int)c.Offset(dwarf64);
            int addressSize = c.U8();
            c.U8(); // segment selector size
            int tupleSize = 2 * addressSize;
            c.Position = set + (c.Position - set + tupleSize - 1) / tupleSize * tupleSize;
            while (c.Position + tupleSize <= end)
            {
                ulong start = c.U64(), size = c.U64();
                if (start == 0 && size == 0) break;
                ranges.Add(new UnitRange(start, start + size, unit));
            }
            set = end;
        }
    }
}
