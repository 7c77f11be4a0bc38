namespace Memcheck.Engine.DebugInfo;

/// <summary>One row of a decoded DWARF line table: the address where a source line's code starts.</summary>
public readonly record struct LineRow(ulong Address, string File, int Line, bool EndSequence);

/// <summary>
/// An object's .debug_line (DWARF 2 to 5), for address lookup. File names keep their directory (comp dir or include
/// dir joined as objdump joins them). Lazy: construction only walks the line programs for each sequence's address
/// range; a lookup decodes the units of the sequences around the address (a libc has hundreds of thousands of rows,
/// and a program's stacks touch a few hundred of them).
/// </summary>
public sealed class LineTable
{
    private const int LnsCopy = 1, LnsAdvancePc = 2, LnsAdvanceLine = 3, LnsSetFile = 4, LnsConstAddPc = 8, LnsFixedAdvancePc = 9;
    private const int LneEndSequence = 1, LneSetAddress = 2, LneDefineFile = 3;
    private const int LnctPath = 1, LnctDirectoryIndex = 2;

    private readonly byte[] _data, _lineStr, _str;
    private readonly Unit[] _units;
    /// <summary>Sequences by lowest address; a cluster is a run of them whose address ranges overlap or touch.</summary>
    private readonly Sequence[] _sequences;
    private readonly Cluster[] _clusters;
    private readonly Dictionary<int, UnitRows> _unitRows = new();
    private readonly Dictionary<int, LineRow[]> _clusterRows = new();
    private readonly Lazy<IReadOnlyList<LineRow>> _rows;

    /// <summary>A line program: where its unit starts and ends (after the unit length).</summary>
    private readonly record struct Unit(int Start, int End, bool Dwarf64);

    /// <summary>
    /// One sequence of rows (up to and including an end-of-sequence row): its address range, its unit and place in
    /// it, and its place in the whole table, which orders rows at the same address.
    /// </summary>
    private readonly record struct Sequence(ulong Low, ulong High, int Unit, int InUnit, int Index);

    /// <summary>Sequences [First, First + Count) of <see cref="_sequences"/>, covering [Low, High].</summary>
    private readonly record struct Cluster(ulong Low, ulong High, int First, int Count);

    /// <summary>A unit's rows in program order and where each of its sequences starts among them.</summary>
    private sealed record UnitRows(List<LineRow> Rows, List<int> SequenceStarts);

    /// <summary>Rows in table order, as objdump --dwarf=decodedline lists them (decodes every unit).</summary>
    public IReadOnlyList<LineRow> Rows => _rows.Value;

    public LineTable(byte[] debugLine, byte[] debugLineStr, byte[] debugStr)
    {
        (_data, _lineStr, _str) = (debugLine, debugLineStr, debugStr);
        var units = new List<Unit>();
        var sequences = new List<Sequence>();
        for (int at = 0; at < debugLine.Length;)
        {
            var c = new DwarfCursor(debugLine, at);
            var (length, dwarf64) = c.UnitLength();
            int end = c.Position + (int)length;
            units.Add(new Unit(c.Position, end, dwarf64));
            AddSequences(units.Count - 1, units[^1], sequences);
            at = end;
        }
        _units = [.. units];
        _sequences = [.. sequences];
        Array.Sort(_sequences, (a, b) => a.Low != b.Low ? a.Low.CompareTo(b.Low) : a.Index.CompareTo(b.Index));
        _clusters = Clusters(_sequences);
        _rows = new Lazy<IReadOnlyList<LineRow>>(() => Enumerable.Range(0, _units.Length).SelectMany(u => UnitRowsOf(u).Rows).ToList());
    }

    /// <summary>
    /// The source line whose code contains the address, or null outside every sequence: the last row at or below the
    /// address in the order of address, end-of-sequence rows first, then table order.
    /// </summary>
    public LineRow? Find(ulong address)
    {
        int lo = 0, hi = _clusters.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_clusters[mid].Low <= address) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        if (found < 0) return null;
        // Rows of earlier clusters all lie below this one's lowest row, so the answer is among this cluster's rows.
        var rows = ClusterRows(found);
        int row = -1;
        for (lo = 0, hi = rows.Length - 1; lo <= hi;)
        {
            int mid = (lo + hi) >>> 1;
            if (rows[mid].Address <= address) { row = mid; lo = mid + 1; } else hi = mid - 1;
        }
        return row < 0 || rows[row].EndSequence ? null : rows[row];
    }

    private static Cluster[] Clusters(Sequence[] byLow)
    {
        var clusters = new List<Cluster>();
        for (int i = 0; i < byLow.Length;)
        {
            int first = i;
            ulong high = byLow[i].High;
            // Touching ranges join too: rows at the shared address order by end-of-sequence and table position.
            for (i++; i < byLow.Length && byLow[i].Low <= high; i++) high = Math.Max(high, byLow[i].High);
            clusters.Add(new Cluster(byLow[first].Low, high, first, i - first));
        }
        return [.. clusters];
    }

    /// <summary>The cluster's rows sorted by address, end-of-sequence rows first at an address, then table order.</summary>
    private LineRow[] ClusterRows(int cluster)
    {
        if (_clusterRows.TryGetValue(cluster, out var sorted)) return sorted;
        var (_, _, first, count) = _clusters[cluster];
        var keyed = new List<(LineRow Row, int Sequence, int Position)>();
        for (int s = first; s < first + count; s++)
        {
            var sequence = _sequences[s];
            var unit = UnitRowsOf(sequence.Unit);
            int start = unit.SequenceStarts[sequence.InUnit];
            int end = sequence.InUnit + 1 < unit.SequenceStarts.Count ? unit.SequenceStarts[sequence.InUnit + 1] : unit.Rows.Count;
            for (int r = start; r < end; r++) keyed.Add((unit.Rows[r], sequence.Index, r));
        }
        keyed.Sort((a, b) =>
            a.Row.Address != b.Row.Address ? a.Row.Address.CompareTo(b.Row.Address)
            : a.Row.EndSequence != b.Row.EndSequence ? (a.Row.EndSequence ? -1 : 1)
            : a.Sequence != b.Sequence ? a.Sequence.CompareTo(b.Sequence)
            : a.Position.CompareTo(b.Position));
        sorted = new LineRow[keyed.Count];
        for (int i = 0; i < sorted.Length; i++) sorted[i] = keyed[i].Row;
        _clusterRows[cluster] = sorted;
        return sorted;
    }

    private UnitRows UnitRowsOf(int unit)
    {
        if (!_unitRows.TryGetValue(unit, out var rows))
        {
            var (start, end, dwarf64) = _units[unit];
            _unitRows[unit] = rows = new UnitRows([], []);
            ReadUnit(_data, start, end, dwarf64, _lineStr, _str, rows);
        }
        return rows;
    }

    /// <summary>
    /// The address range of each sequence of the unit's program, run without naming files or making rows; a sequence
    /// is the rows up to an end of sequence (or the unit's end), as <see cref="ReadUnit"/> splits them.
    /// </summary>
    private void AddSequences(int index, Unit unit, List<Sequence> sequences)
    {
        var c = new DwarfCursor(_data.AsSpan(0, unit.End), unit.Start);
        var program = ReadProgram(ref c, unit.Dwarf64, out _);
        var ranges = new SequenceRanges(index, sequences);
        Run(_data, program, unit.End, ranges);
        ranges.Close();
    }

    /// <summary>What running a line program gives: rows in order, and DW_LNE_define_file's names.</summary>
    private interface IRowSink
    {
        void Row(ulong address, int file, int line, bool endSequence);
        void DefineFile(string name, int directory);
    }

    /// <summary>Each sequence's lowest and highest row address.</summary>
    private sealed class SequenceRanges(int unit, List<Sequence> into) : IRowSink
    {
        private ulong _low = ulong.MaxValue, _high;
        private bool _any;
        private int _inUnit;

        public void Row(ulong address, int file, int line, bool endSequence)
        {
            (_low, _high, _any) = (Math.Min(_low, address), Math.Max(_high, address), true);
            if (endSequence) Close();
        }

        public void DefineFile(string name, int directory) { }

        /// <summary>Ends the open sequence, if it has a row.</summary>
        public void Close()
        {
            if (_any) into.Add(new Sequence(_low, _high, unit, _inUnit++, into.Count));
            (_low, _high, _any) = (ulong.MaxValue, 0, false);
        }
    }

    /// <summary>Rows with their file names, and where each sequence starts among them.</summary>
    private sealed class NamedRows(Header header, UnitRows into) : IRowSink
    {
        private bool _sequenceOpen;

        public void Row(ulong address, int file, int line, bool endSequence)
        {
            if (!_sequenceOpen) into.SequenceStarts.Add(into.Rows.Count);
            into.Rows.Add(new LineRow(address, FileName(header.Files, file - header.FileBase), line, endSequence));
            _sequenceOpen = !endSequence;
        }

        public void DefineFile(string name, int directory) => header.Files.Add(Join(header.Directories, directory, name));
    }

    /// <summary>Runs the line program's state machine from its first opcode to <paramref name="end"/>.</summary>
    private static void Run(byte[] data, Program program, int end, IRowSink sink)
    {
        var (start, minInstLength, lineBase, lineRange, opcodeBase, standardLengths) = program;
        var c = new DwarfCursor(data.AsSpan(0, end), start);
        ulong address = 0;
        int file = 1, line = 1;
        while (c.Position < end)
        {
            int op = c.U8();
            if (op >= opcodeBase)
            {
                int adjusted = op - opcodeBase;
                address += (ulong)(adjusted / lineRange * minInstLength);
                line += lineBase + adjusted % lineRange;
                sink.Row(address, file, line, false);
                continue;
            }
            switch (op)
            {
                case 0:
                    int length = (int)c.Uleb();
                    int next = c.Position + length;
                    int sub = c.U8();
                    if (sub == LneEndSequence)
                    {
                        sink.Row(address, file, line, true);
                        address = 0; file = 1; line = 1;
                    }
                    else if (sub == LneSetAddress) address = length == 9 ? c.U64() : c.U32();
                    else if (sub == LneDefineFile) sink.DefineFile(c.CString(), (int)c.Uleb());
                    c.Position = next;
                    break;
                case LnsCopy: sink.Row(address, file, line, false); break;
                case LnsAdvancePc: address += c.Uleb() * (ulong)minInstLength; break;
                case LnsAdvanceLine: line += (int)c.Sleb(); break;
                case LnsSetFile: file = (int)c.Uleb(); break;
                case LnsConstAddPc: address += (ulong)((255 - opcodeBase) / lineRange * minInstLength); break;
                case LnsFixedAdvancePc: address += c.U16(); break;
                default:
                    // Column, negate_stmt, basic_block, prologue_end, epilogue_begin, isa and unknown opcodes: operands skipped.
                    for (int i = 0; i < standardLengths[op]; i++) c.Uleb();
                    break;
            }
        }
    }

    /// <summary>
    /// The file names of the line program at <paramref name="offset"/> and the number of the first
    /// (DW_AT_call_file and DW_LNS_set_file count from 0 in DWARF 5, from 1 before).
    /// </summary>
    internal static (IReadOnlyList<string> Files, int FileBase) FileNames(byte[] debugLine, int offset, byte[] lineStr, byte[] str)
    {
        var c = new DwarfCursor(debugLine, offset);
        var (_, dwarf64) = c.UnitLength();
        var header = ReadHeader(ref c, dwarf64, lineStr, str);
        return (header.Files, header.FileBase);
    }

    /// <summary>What running a line program needs of its header: where its opcodes start and how to read them.</summary>
    private sealed record Program(int Start, int MinInstLength, int LineBase, int LineRange, int OpcodeBase, byte[] StandardLengths);

    private sealed record Header(Program Program, List<string> Directories, List<string> Files, int FileBase);

    private static Program ReadProgram(ref DwarfCursor c, bool dwarf64, out int version)
    {
        version = c.U16();
        if (version >= 5) c.Skip(2); // address size, segment selector size
        ulong headerLength = c.Offset(dwarf64);
        int program = c.Position + (int)headerLength;
        int minInstLength = c.U8();
        if (version >= 4) c.Skip(1); // maximum operations per instruction: 1 on x86
        c.Skip(1); // default_is_stmt: every row is kept, as objdump lists them
        int lineBase = c.S8(), lineRange = c.U8(), opcodeBase = c.U8();
        var standardLengths = new byte[opcodeBase];
        for (int i = 1; i < opcodeBase; i++) standardLengths[i] = c.U8();
        return new Program(program, minInstLength, lineBase, lineRange, opcodeBase, standardLengths);
    }

    private static Header ReadHeader(ref DwarfCursor c, bool dwarf64, byte[] lineStr, byte[] str)
    {
        var program = ReadProgram(ref c, dwarf64, out int version);
        var directories = new List<string>();
        var files = new List<string>();
        if (version >= 5)
        {
            foreach (var entry in ReadEntries(ref c, dwarf64, lineStr, str)) directories.Add(entry.Path);
            foreach (var entry in ReadEntries(ref c, dwarf64, lineStr, str)) files.Add(Join(directories, entry.Directory, entry.Path));
        }
        else
        {
            directories.Add("");
            for (string d; (d = c.CString()).Length > 0;) directories.Add(d);
            for (string f; (f = c.CString()).Length > 0;)
            {
                int dir = (int)c.Uleb();
                c.Uleb(); c.Uleb();
                files.Add(Join(directories, dir, f));
            }
        }
        return new Header(program, directories, files, version >= 5 ? 0 : 1);
    }

    private static void ReadUnit(byte[] data, int start, int end, bool dwarf64, byte[] lineStr, byte[] str, UnitRows into)
    {
        var c = new DwarfCursor(data.AsSpan(0, end), start);
        var header = ReadHeader(ref c, dwarf64, lineStr, str);
        Run(data, header.Program, end, new NamedRows(header, into));
    }

    private readonly record struct Entry(string Path, int Directory);

    /// <summary>A DWARF 5 directory or file name table, keeping the path and directory index.</summary>
    private static List<Entry> ReadEntries(ref DwarfCursor c, bool dwarf64, byte[] lineStr, byte[] str)
    {
        int formatCount = c.U8();
        var format = new (ulong Content, ulong Form)[formatCount];
        for (int i = 0; i < formatCount; i++) format[i] = (c.Uleb(), c.Uleb());
        ulong count = c.Uleb();
        var entries = new List<Entry>();
        for (ulong n = 0; n < count; n++)
        {
            string path = "";
            int dir = 0;
            foreach (var (content, form) in format)
            {
                ulong value = 0;
                string? text = null;
                switch (form)
                {
                    case 0x08: text = c.CString(); break;                                     // string
                    case 0x1f: text = DwarfCursor.CStringAt(lineStr, c.Offset(dwarf64)); break; // line_strp
                    case 0x0e: text = DwarfCursor.CStringAt(str, c.Offset(dwarf64)); break;     // strp
                    case 0x0b: value = c.U8(); break;
                    case 0x05: value = c.U16(); break;
                    case 0x06: value = c.U32(); break;
                    case 0x07: value = c.U64(); break;
                    case 0x0f: value = c.Uleb(); break;
                    case 0x1e: c.Skip(16); break;                                              // data16 (MD5)
                    case 0x09: c.Skip((int)c.Uleb()); break;                                   // block
                    default: throw new InvalidDataException($"DW_FORM 0x{form:x} in a line table header");
                }
                if (content == LnctPath) path = text ?? "";
                else if (content == LnctDirectoryIndex) dir = (int)value;
            }
            entries.Add(new Entry(path, dir));
        }
        return entries;
    }

    private static string Join(List<string> directories, int dir, string file) =>
        file.StartsWith('/') || dir >= directories.Count || directories[dir].Length == 0 ? file : Directory(directories, dir) + "/" + file;

    /// <summary>
    /// A directory entry as Valgrind names it: a relative one lies under the compilation directory (DWARF 5's entry 0;
    /// empty before), even entry 0 itself ("./io/../sysdeps/unix/sysv/linux" and "./nptl/./nptl" in libc).
    /// </summary>
    private static string Directory(List<string> directories, int dir) =>
        directories[dir].StartsWith('/') || directories[0].Length == 0 ? directories[dir] : directories[0] + "/" + directories[dir];

    private static string FileName(List<string> files, int index) => index >= 0 && index < files.Count ? files[index] : "???";
}
