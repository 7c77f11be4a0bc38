using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Reporting;

/// <summary>A suppression that matched, how many errors it suppressed and (for leaks) what the tool adds up for it.</summary>
public sealed record SuppressionUse(Suppression Suppression, int Count, string? Detail);

/// <summary>
/// The suppressions of a run, in the order Valgrind tries them: each file's suppressions ahead of those of the files
/// read before it, the default file read last, and each suppression moved to the front when it matches. That order
/// decides which of several matching suppressions is credited, and is the order the used ones are listed in.
/// </summary>
public sealed class SuppressionSet
{
    /// <summary>The suppressions Valgrind always reads (its own install's file), when it is there.</summary>
    public const string DefaultFile = "/usr/libexec/valgrind/default.supp";

    private readonly LinkedList<Suppression> _order = new();
    private readonly Dictionary<Suppression, (int Count, string? Detail)> _uses = new(ReferenceEqualityComparer.Instance);

    public SuppressionSet(IEnumerable<Suppression> suppressions)
    {
        foreach (Suppression suppression in suppressions) _order.AddFirst(suppression);
    }

    /// <summary>
    /// The user's files in the order given, then unless --default-suppressions=no the default file (where Valgrind is
    /// installed); the files' names are listed with -v.
    /// </summary>
    /// <exception cref="SuppressionFileException">A file cannot be read or breaks the syntax.</exception>
    public static SuppressionSet Load(IReadOnlyList<string> userFiles, ISuppressionKinds kinds, bool readDefaultFile)
    {
        IReadOnlyList<string> files = readDefaultFile && File.Exists(DefaultFile) ? [.. userFiles, DefaultFile] : userFiles;
        return new SuppressionSet(files.SelectMany(file => SuppressionFile.Read(file, kinds))) { Files = files };
    }

    public static SuppressionSet Empty { get; } = new([]);

    /// <summary>The files read, in order ("Reading suppressions file: ..." with -v).</summary>
    public IReadOnlyList<string> Files { get; private init; } = [];

    /// <summary>
    /// The first suppression of <paramref name="kind"/> whose extra line is accepted and whose frames match the stack,
    /// counted as used once and moved to the front; null when none matches.
    /// </summary>
    public Suppression? Match(string kind, Func<string?, bool> extraMatches, IReadOnlyList<StackFrame> stack, int maxPatterns)
    {
        for (LinkedListNode<Suppression>? node = _order.First; node is not null; node = node.Next)
        {
            Suppression s = node.Value;
            if (s.Kind != kind || !extraMatches(s.Extra) || !s.MatchesStack(stack, maxPatterns)) continue;
            _order.Remove(node);
            _order.AddFirst(node);
            Count(s);
            return s;
        }
        return null;
    }

    /// <summary>One more error suppressed by <paramref name="suppression"/> (a repeat of an error it matched before).</summary>
    public void Count(Suppression suppression)
    {
        var (count, detail) = _uses.GetValueOrDefault(suppression);
        _uses[suppression] = (count + 1, detail);
    }

    /// <summary>The tool's note on a suppression's uses, shown after its count (" suppressed: 224 bytes in 10 blocks").</summary>
    public void Describe(Suppression suppression, string detail)
    {
        var (count, _) = _uses.GetValueOrDefault(suppression);
        _uses[suppression] = (count, detail);
    }

    /// <summary>The suppressions that matched, most recently matched first.</summary>
    public IReadOnlyList<SuppressionUse> Used =>
        [.. _order.Where(_uses.ContainsKey).Select(s => new SuppressionUse(s, _uses[s].Count, _uses[s].Detail))];

    /// <summary>Valgrind's "used_suppression:" lines (for -s and -v), without their "--PID--" prefix.</summary>
    public IEnumerable<string> UsedLines() =>
        Used.Select(u => $"used_suppression: {u.Count,6} {u.Suppression.Name} {u.Suppression.File}:{u.Suppression.Line}{u.Detail}");
}
