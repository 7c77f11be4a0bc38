using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Reporting;

/// <summary>How a suppression's location line names a frame.</summary>
public enum FramePatternKind
{
    /// <summary>"fun:PATTERN": the frame's function, by its symbol name (mangled, for C++).</summary>
    Function,
    /// <summary>"obj:PATTERN": the path of the object holding the frame's code.</summary>
    Object,
    /// <summary>"src:FILE[:LINE]": the frame's source file name (without its directory) and line.</summary>
    Source,
    /// <summary>"...": any run of frames, none included.</summary>
    AnyFrames,
}

/// <summary>One location line of a suppression; <see cref="Line"/> 0 is any line of a src: file.</summary>
public sealed record FramePattern(FramePatternKind Kind, string Pattern = "", int Line = 0)
{
    public static readonly FramePattern AnyFrames = new(FramePatternKind.AnyFrames);

    /// <summary>Whether this (non-"...") pattern names the frame. A frame without the named detail matches only "*".</summary>
    public bool Matches(StackFrame frame) => Kind switch
    {
        FramePatternKind.Function => Wildcard.Matches(Pattern, frame.SymbolName ?? "???"),
        FramePatternKind.Object => Wildcard.Matches(Pattern, frame.Object ?? "???"),
        FramePatternKind.Source => frame.File is { } file && Wildcard.Matches(Pattern, Path.GetFileName(file))
            && (Line == 0 || Line == frame.Line),
        _ => true,
    };

    public override string ToString() => Kind switch
    {
        FramePatternKind.Function => "fun:" + Pattern,
        FramePatternKind.Object => "obj:" + Pattern,
        FramePatternKind.Source => Line == 0 ? "src:" + Pattern : $"src:{Pattern}:{Line}",
        _ => "...",
    };
}

/// <summary>
/// One suppression read from a file: its name, the tool's kind ("Addr4", "Leak"), the kind's extra line as written
/// (a syscall parameter, "match-leak-kinds: definite"), and the frames it matches, innermost first.
/// <see cref="File"/> is the file's name as the user gave it and <see cref="Line"/> the line of the name, as
/// Valgrind's "used_suppression" lines show them.
/// </summary>
public sealed record Suppression(string Name, string Kind, string? Extra, IReadOnlyList<FramePattern> Frames, string File, int Line)
{
    /// <summary>
    /// Whether the frames match a stack: each pattern its frame in order, "..." any run of frames. Only the first
    /// <paramref name="maxPatterns"/> patterns count (Valgrind compares as many as --num-callers keeps).
    /// </summary>
    public bool MatchesStack(IReadOnlyList<StackFrame> stack, int maxPatterns) =>
        MatchFrom(0, 0, stack, Math.Min(maxPatterns, Frames.Count));

    private bool MatchFrom(int pattern, int frame, IReadOnlyList<StackFrame> stack, int patterns)
    {
        for (; pattern < patterns; pattern++, frame++)
        {
            if (Frames[pattern].Kind == FramePatternKind.AnyFrames)
            {
                for (int skip = frame; skip <= stack.Count; skip++)
                    if (MatchFrom(pattern + 1, skip, stack, patterns)) return true;
                return false;
            }
            if (frame >= stack.Count || !Frames[pattern].Matches(stack[frame])) return false;
        }
        return true;
    }
}
