using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// Valgrind's error manager bookkeeping: an error equal to a known one (same kind and details, same top frames) only
/// bumps that context's count; a new one is shown. Frames are compared four deep, two deep once 100 contexts have
/// been shown; with --error-limit=yes, after 1000 contexts or 10,000,000 errors nothing more is recorded.
/// </summary>
public sealed class ErrorContexts(bool errorLimit)
{
    public const int SlowDownAfterShown = 100;
    public const int StopAfterShown = 1000;
    public const int StopAfterFound = 10_000_000;

    private const int MediumResolutionFrames = 4;
    private const int LowResolutionFrames = 2;

    // Most recently matched first: the order ties are broken in when listing by count.
    private readonly LinkedList<ErrorContext> _contexts = new();
    private bool _slowedDown;
    private bool _stopped;

    public int ErrorsFound { get; private set; }
    public int ContextCount { get; private set; }
    public int SuppressedErrors { get; private set; }
    public int SuppressedContexts { get; private set; }
    public int Shown { get; private set; }

    /// <summary>
    /// Record one error. <paramref name="key"/> holds its kind and whatever details Valgrind compares for that kind
    /// (for example "Invalid read of size 4"); <paramref name="frames"/> are its stack's code addresses, innermost first.
    /// A new error is matched against the suppressions (<paramref name="suppression"/>) and a repeat keeps its first
    /// occurrence's verdict, as in Valgrind. <paramref name="notices"/> receives the lines Valgrind prints when it
    /// slows down or stops collecting. The context is the one the error was counted in (none when dropped).
    /// </summary>
    public (ErrorOutcome Outcome, ErrorContext? Context) Record(string key, int stackId, IReadOnlyList<ulong> frames,
        Func<Suppression?> suppression, List<string> notices)
    {
        if (errorLimit && (Shown >= StopAfterShown || ErrorsFound >= StopAfterFound))
        {
            if (!_stopped)
            {
                _stopped = true;
                notices.AddRange(StopNotice(Shown >= StopAfterShown));
            }
            return (ErrorOutcome.Dropped, null);
        }
        if (Shown >= SlowDownAfterShown && !_slowedDown)
        {
            _slowedDown = true;
            notices.AddRange(["", $"More than {SlowDownAfterShown} errors detected.  Subsequent errors", "will still be recorded, but in less detail than before."]);
        }
        int depth = _slowedDown ? LowResolutionFrames : MediumResolutionFrames;
        for (LinkedListNode<ErrorContext>? node = _contexts.First; node is not null; node = node.Next)
        {
            ErrorContext known = node.Value;
            if (known.Key != key || !SameTopFrames(known.Frames, frames, depth))
                continue;
            known.Count++;
            if (known.Suppressed)
                SuppressedErrors++;
            else
                ErrorsFound++;
            _contexts.Remove(node);
            _contexts.AddFirst(node);
            return (ErrorOutcome.Repeat, known);
        }
        var context = new ErrorContext(key, stackId, frames, suppression());
        _contexts.AddFirst(context);
        if (context.Suppressed)
        {
            SuppressedContexts++;
            SuppressedErrors++;
            return (ErrorOutcome.Suppressed, context);
        }
        ContextCount++;
        ErrorsFound++;
        Shown++;
        return (ErrorOutcome.New, context);
    }

    /// <summary>An error that is never merged (a leak's loss record), counted as its own context.</summary>
    public void RecordUnique(bool suppressed)
    {
        if (suppressed)
        {
            SuppressedContexts++;
            SuppressedErrors++;
            return;
        }
        ContextCount++;
        ErrorsFound++;
    }

    /// <summary>Unsuppressed contexts in the order -s lists them: fewest occurrences first, ties most recent first.</summary>
    public IEnumerable<ErrorContext> ByCount() => _contexts.Where(c => !c.Suppressed).OrderBy(c => c.Count);

    /// <summary>Every context, shown or suppressed, most recently seen first (the order of XML's error counts).</summary>
    public IEnumerable<ErrorContext> All => _contexts;

    /// <summary>Unlike the heap and leak numbers, printed without thousands separators.</summary>
    public string SummaryLine =>
        $"ERROR SUMMARY: {ErrorsFound} errors from {ContextCount} contexts (suppressed: {SuppressedErrors} from {SuppressedContexts})";

    private static bool SameTopFrames(IReadOnlyList<ulong> a, IReadOnlyList<ulong> b, int depth)
    {
        int n = Math.Min(depth, Math.Min(a.Count, b.Count));
        for (int i = 0; i < n; i++)
            if (a[i] != b[i])
                return false;
        return Math.Min(a.Count, depth) == Math.Min(b.Count, depth);
    }

    private static string[] StopNotice(bool tooManyContexts) =>
    [
        "",
        tooManyContexts
            ? $"More than {StopAfterShown} different errors detected.  I'm not reporting any more."
            : $"More than {StopAfterFound} total errors detected.  I'm not reporting any more.",
        "Final error counts will be inaccurate.  Go fix your program!",
        "Rerun with --error-limit=no to disable this cutoff.  Note",
        "that errors may occur in your program without prior warning from",
        "Valgrind, because errors are no longer being displayed.",
        "",
    ];
}

/// <summary>What became of a recorded error: only a New one is printed.</summary>
public enum ErrorOutcome
{
    New,
    Repeat,
    Suppressed,
    Dropped,
}

/// <summary>One distinct error and how often it occurred; <see cref="SuppressedBy"/> the suppression hiding it.</summary>
public sealed class ErrorContext(string key, int stackId, IReadOnlyList<ulong> frames, Suppression? suppressedBy)
{
    public string Key { get; } = key;
    public int StackId { get; } = stackId;
    public IReadOnlyList<ulong> Frames { get; } = frames;
    public Suppression? SuppressedBy { get; } = suppressedBy;
    public bool Suppressed => SuppressedBy is not null;
    public int Count { get; internal set; } = 1;
}
