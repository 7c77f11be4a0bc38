namespace Memcheck.Engine.Reporting;

/// <summary>
/// A suppression file Valgrind would refuse, with its message: either it cannot be opened, or its syntax is wrong
/// "near" <see cref="Line"/> (the last line read). <see cref="Lines"/> are what Valgrind prints, ==PID== prefixed;
/// <see cref="Echo"/> is a line it prints unprefixed before them.
/// </summary>
public sealed class SuppressionFileException(IReadOnlyList<string> lines, string? echo = null)
    : Exception(string.Join(Environment.NewLine, lines))
{
    public IReadOnlyList<string> Lines { get; } = lines;
    public string? Echo { get; } = echo;

    public static SuppressionFileException CannotOpen(string file) => new([$"FATAL: can't open suppressions file \"{file}\""]);

    public static SuppressionFileException Syntax(string file, int line, string message, string? echo = null) =>
        new([$"FATAL: in suppressions file \"{file}\" near line {line}:", $"   {message}", "exiting now."], echo);
}

/// <summary>
/// Reads a suppression file in Valgrind's syntax. Lines are trimmed; blank lines and lines starting with '#' are
/// skipped anywhere. Each suppression is
/// <code>
/// {
///    name
///    Tool1[,Tool2...]:Kind
///    extra line, for the kinds that read one
///    fun:pattern | obj:pattern | src:file[:line] | ...
///    ...
/// }
/// </code>
/// Suppressions for other tools are skipped; one naming this tool with a kind it does not know is an error.
/// </summary>
public static class SuppressionFile
{
    private const string LocationMessage = "location should be \"...\", or should start with \"fun:\", \"obj:\", or \"src:\"";

    /// <exception cref="SuppressionFileException">The file cannot be read, or breaks the syntax.</exception>
    public static List<Suppression> Read(string path, ISuppressionKinds kinds)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception unreadable) when (unreadable is IOException or UnauthorizedAccessException)
        {
            throw SuppressionFileException.CannotOpen(path);
        }
        return Parse(text, path, kinds);
    }

    /// <param name="file">The name messages and <see cref="Suppression.File"/> carry.</param>
    /// <exception cref="SuppressionFileException">The text breaks the syntax.</exception>
    public static List<Suppression> Parse(string text, string file, ISuppressionKinds kinds)
    {
        var reader = new LineReader(text);
        var suppressions = new List<Suppression>();
        while (reader.Next() is { } open)
        {
            if (open != "{") throw reader.Error(file, "expected '{' or end-of-file");
            if (reader.Next() is not { } name || name == "}") throw reader.Error(file, "unexpected '}'");
            int nameLine = reader.LineNumber;
            string kindLine = reader.Next() ?? throw reader.Error(file, "unexpected end-of-file (expecting tool:suppr)");
            int colon = kindLine.IndexOf(':');
            if (colon < 0) throw reader.Error(file, "malformed 'tool1,tool2,...:supp' line");
            if (!kindLine[..colon].Split(',').Contains(kinds.ToolName))
            {
                SkipToEnd(reader, file);
                continue;
            }
            string kind = kinds.KindNamed(kindLine[(colon + 1)..]) ?? throw reader.Error(file, "unknown tool suppression type");

            string? extra = null;
            string? next = reader.Next();
            switch (kinds.ReadExtra(kind, next))
            {
                case ExtraLine.Taken:
                    extra = next;
                    next = reader.Next();
                    break;
                case ExtraLine.Bad:
                    throw reader.Error(file, "bad or missing extra suppression info");
            }
            suppressions.Add(new Suppression(name, kind, extra, ReadFrames(reader, file, next), file, nameLine));
        }
        return suppressions;
    }

    private static List<FramePattern> ReadFrames(LineReader reader, string file, string? line)
    {
        var frames = new List<FramePattern>();
        for (; line != "}"; line = reader.Next())
        {
            if (line is null) throw reader.Error(file, "unexpected end-of-file (when reading stack trace)");
            frames.Add(Location(line) ?? throw reader.Error(file, LocationMessage, echo: LocationMessage));
        }
        if (frames.Count == 0) throw reader.Error(file, "missing stack trace");
        if (frames.All(f => f.Kind == FramePatternKind.AnyFrames))
            throw reader.Error(file, "suppression must contain at least one location line which is not \"...\"");
        return frames;
    }

    /// <summary>A location line, or null when it is none. A src: line's number is its leading digits, 0 (any) without.</summary>
    private static FramePattern? Location(string line)
    {
        if (line == "...") return FramePattern.AnyFrames;
        if (line.StartsWith("fun:", StringComparison.Ordinal)) return new FramePattern(FramePatternKind.Function, line[4..]);
        if (line.StartsWith("obj:", StringComparison.Ordinal)) return new FramePattern(FramePatternKind.Object, line[4..]);
        if (!line.StartsWith("src:", StringComparison.Ordinal)) return null;
        string source = line[4..];
        int colon = source.LastIndexOf(':');
        if (colon < 0) return new FramePattern(FramePatternKind.Source, source);
        string digits = new([.. source[(colon + 1)..].TakeWhile(char.IsAsciiDigit)]);
        return new FramePattern(FramePatternKind.Source, source[..colon], digits.Length > 0 && int.TryParse(digits, out int n) ? n : 0);
    }

    private static void SkipToEnd(LineReader reader, string file)
    {
        while (reader.Next() is { } line)
            if (line == "}") return;
        throw reader.Error(file, "unexpected end-of-file (when skipping suppression)");
    }

    /// <summary>The file's meaningful lines, trimmed, with the number of the last one read.</summary>
    private sealed class LineReader(string text)
    {
        private readonly string[] _lines = text.Split('\n');
        private int _next;

        public int LineNumber { get; private set; }

        public string? Next()
        {
            while (_next < _lines.Length)
            {
                string line = _lines[_next++].Trim();
                // A final newline leaves an empty last element that is no line.
                if (_next == _lines.Length && line.Length == 0) return null;
                LineNumber = _next;
                if (line.Length > 0 && line[0] != '#') return line;
            }
            return null;
        }

        public SuppressionFileException Error(string file, string message, string? echo = null) =>
            SuppressionFileException.Syntax(file, LineNumber, message, echo);
    }
}
