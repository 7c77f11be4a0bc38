namespace Memcheck.Engine.DebugInfo;

/// <summary>One row of a decoded DWARF line table: the address where a source line's code starts.</summary>
public readonly record struct LineRow(ulong Address, string File, int Line, bool EndSequence);

/// <summary>
/// An object's .debug_line (DWARF 2 to 5) decoded into rows, sorted for address lookup.
/// File names keep their directory (comp dir or include dir joined as objdump joins them).
/// </summary>
public sealed class LineTable
{
    private const int LnsCopy = 1, LnsAdvancePc = 2, LnsAdvanceLine = 3, LnsSetFile = 4, LnsConstAddPc = 8, LnsFixedAdvancePc = 9;
    private const int LneEndSequence = 1, LneSetAddress = 2, LneDefineFile = 3;
    private const int LnctPath = 1, LnctDirectoryIndex = 2;

    private readonly LineRow[] _sorted;

    /// <summary>Rows in table order, as objdump --dwarf=decodedline lists them.</summary>
    public IReadOnlyList<LineRow> Rows { get; }

    public LineTable(byte[] debugLine, byte[] debugLineStr, byte[] debugStr)
    {
        var rows = new List<LineRow>();
        int unit = 0;
        while (unit < debugLine.Length)
        {
            var c = new DwarfCursor(debugLine, unit);
            var (length, dwarf64) = c.UnitLength();
            int end = c.Position + (int)length;
            ReadUnit(debugLine, c.Position, end, dwarf64, debugLineStr, debugStr, rows);
            unit = end;
        }
        Rows = rows;
        // Stable sort keeps an end-of-sequence row ahead of a next sequence starting at the same address.
        _sorted = [.. rows.Select((r, i) => (r, i)).OrderBy(x => x.r.Address).ThenBy(x => x.r.EndSequence ? 0 : 1).ThenBy(x => x.i).Select(x => x.r)];
    }

    /// <summary>The source line whose code contains the address, or null outside every sequence.</summary>
    public LineRow? Find(ulong address)
    {
        int lo = 0, hi = _sorted.Length - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_sorted[mid].Address <= address) { found = mid; lo = mid + 1; } else hi = mid - 1;
        }
        if (found < 0 || _sorted[found].EndSequence) return null;
        return _sorted[found];
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

    private sealed record Header(int Program, int MinInstLength, int LineBase, int LineRange, int OpcodeBase,
        byte[] StandardLengths, List<string> Directories, List<string> Files, int FileBase);

    private static Header ReadHeader(ref DwarfCursor c, bool dwarf64, byte[] lineStr, byte[] str)
    {
        int version = c.U16();
        if (version >= 5) c.Skip(2); // address size, segment selector size
        ulong headerLength = c.Offset(dwarf64);
        int program = c.Position + (int)headerLength;
        int minInstLength = c.U8();
        if (version >= 4) c.Skip(1); // maximum operations per instruction: 1 on x86
        c.Skip(1); // default_is_stmt: every row is kept, as objdump lists them
        int lineBase = c.S8(), lineRange = c.U8(), opcodeBase = c.U8();
        var standardLengths = new byte[opcodeBase];
        for (int i = 1; i < opcodeBase; i++) standardLengths[i] = c.U8();

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
        return new Header(program, minInstLength, lineBase, lineRange, opcodeBase, standardLengths, directories, files, version >= 5 ? 0 : 1);
    }

    private static void ReadUnit(byte[] data, int start, int end, bool dwarf64, byte[] lineStr, byte[] str, List<LineRow> rows)
    {
        var c = new DwarfCursor(data.AsSpan(0, end), start);
        var (program, minInstLength, lineBase, lineRange, opcodeBase, standardLengths, directories, files, fileBase) =
            ReadHeader(ref c, dwarf64, lineStr, str);

        c.Position = program;
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
                rows.Add(new LineRow(address, FileName(files, file - fileBase), line, false));
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
                        rows.Add(new LineRow(address, FileName(files, file - fileBase), line, true));
                        address = 0; file = 1; line = 1;
                    }
                    else if (sub == LneSetAddress) address = length == 9 ? c.U64() : c.U32();
                    else if (sub == LneDefineFile)
                    {
                        string f = c.CString();
                        int dir = (int)c.Uleb();
                        files.Add(Join(directories, dir, f));
                    }
                    c.Position = next;
                    break;
                case LnsCopy: rows.Add(new LineRow(address, FileName(files, file - fileBase), line, false)); break;
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
