namespace Memcheck.Engine.DebugInfo;

/// <summary>
/// One ELF object's debug information: symbols, line table and call-frame information, read on first
/// use from the object and its separate debug file (by build-id under /usr/lib/debug/.build-id, else by
/// .gnu_debuglink in the places gdb and Valgrind look). Addresses are link-time addresses.
/// </summary>
public sealed class DebugObject
{
    public const string DebugRoot = "/usr/lib/debug";

    private readonly Lazy<ElfFile> _file;
    private readonly Lazy<ElfFile?> _debugFile;
    private readonly Lazy<SymbolTable> _symbols;
    private readonly Lazy<LineTable?> _lines;
    private readonly Lazy<CallFrameTable> _frames;
    private readonly Lazy<InlineTable?> _inlines;

    public string Path { get; }

    public DebugObject(string path, string debugRoot = DebugRoot)
    {
        Path = path;
        _file = new Lazy<ElfFile>(() => ElfFile.Open(path));
        _debugFile = new Lazy<ElfFile?>(() => FindDebugFile(_file.Value, debugRoot));
        _symbols = new Lazy<SymbolTable>(() => new SymbolTable(DwarfSources()));
        _lines = new Lazy<LineTable?>(LoadLines);
        _frames = new Lazy<CallFrameTable>(LoadFrames);
        _inlines = new Lazy<InlineTable?>(LoadInlines);
    }

    /// <summary>The separate debug file in use, if one was found.</summary>
    public string? DebugFilePath => _debugFile.Value?.Path;

    internal IReadOnlyList<ElfFile.Load> Loads => _file.Value.Loads;

    public int SymbolCount => _symbols.Value.Count;

    public ElfSymbol? FunctionAt(ulong address) => _symbols.Value.FunctionAt(address);

    public ElfSymbol? DataAt(ulong address) => _symbols.Value.DataAt(address);

    public LineTable? Lines => _lines.Value;

    internal CallFrameTable Frames => _frames.Value;

    /// <summary>The inlined calls of .debug_info, read a unit at a time on first use.</summary>
    internal InlineTable? Inlines => _inlines.Value;

    /// <summary>Load bias of a mapping of this file: its address minus the link-time address of the same file offset.</summary>
    public long? Bias(ulong mappingStart, long fileOffset)
    {
        foreach (var load in Loads)
        {
            ulong pageOffset = load.FileOffset & ~0xfffUL;
            if ((ulong)fileOffset >= pageOffset && (ulong)fileOffset < load.FileOffset + Math.Max(load.FileSize, 1))
                return (long)(mappingStart - (ulong)fileOffset) - (long)(load.VirtualAddress - load.FileOffset);
        }
        return null;
    }

    private IEnumerable<ElfFile> DwarfSources() => _debugFile.Value is { } debug ? [debug, _file.Value] : [_file.Value];

    private LineTable? LoadLines()
    {
        foreach (var f in DwarfSources())
        {
            var data = f.Contents(".debug_line");
            if (data.Length > 0) return new LineTable(data, f.Contents(".debug_line_str"), f.Contents(".debug_str"));
        }
        return null;
    }

    private InlineTable? LoadInlines() =>
        DwarfSources().FirstOrDefault(f => f.Find(".debug_info") is not null) is { } f ? new InlineTable(DwarfSections.From(f)) : null;

    private CallFrameTable LoadFrames()
    {
        var file = _file.Value;
        var ehFrame = file.Find(".eh_frame");
        var debugFrame = DwarfSources().Select(f => f.Contents(".debug_frame")).FirstOrDefault(d => d.Length > 0);
        return new CallFrameTable(ehFrame is null ? [] : file.Contents(ehFrame), ehFrame?.Address ?? 0, debugFrame ?? []);
    }

    private static ElfFile? FindDebugFile(ElfFile file, string debugRoot)
    {
        if (file.Find(".debug_line") is not null && file.Find(".symtab") is not null) return null;
        if (file.BuildId is { Length: > 1 } id)
        {
            string hex = Convert.ToHexStringLower(id);
            if (ElfFile.TryOpen($"{debugRoot}/.build-id/{hex[..2]}/{hex[2..]}.debug") is { } byId) return byId;
        }
        if (file.DebugLink is var (link, crc))
        {
            // A candidate with another CRC is a stale or foreign debug file: skipped, as gdb and Valgrind skip it.
            string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(file.Path)) ?? "/";
            foreach (var candidate in new[] { $"{dir}/{link}", $"{dir}/.debug/{link}", $"{debugRoot}{dir}/{link}" })
                if (candidate != file.Path && ElfFile.TryOpen(candidate) is { } byLink && byLink.HasCrc(crc)) return byLink;
        }
        return null;
    }
}
