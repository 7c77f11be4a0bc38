using Memcheck.Engine.Core;
using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Tools.Memcheck.Errors;

/// <summary>
/// Memcheck's errors as Valgrind's error manager handles them: each is merged into its context
/// (<see cref="ErrorContexts"/>); a new context is matched against the suppressions and, unless one hides it, shown
/// (text followed by a blank line, or an XML &lt;error&gt;) with what --gen-suppressions adds.
/// </summary>
/// <remarks>Errors of a thread whose reporting is off (VALGRIND_DISABLE_ERROR_REPORTING) are neither shown nor counted.</remarks>
public sealed class ErrorLog(ToolHost host, bool errorLimit)
{
    /// <summary>Every context's first error, shown or suppressed, by context number (its StackId).</summary>
    private readonly List<MemcheckError> _errors = [];
    /// <summary>Each context's XML unique number: the count of errors before its first occurrence.</summary>
    private readonly List<int> _uniques = [];
    private int _nextUnique;

    private ErrorOutput Output => host.Errors;

    public ErrorContexts Contexts { get; } = new(errorLimit);

    /// <summary>
    /// The next error number XML output gives: every error counts, repeats and suppressed ones included, and so does
    /// every loss record of the leak check.
    /// </summary>
    public int TakeUnique() => _nextUnique++;

    /// <summary>Valgrind prints a loss record as an error; <see cref="RecordLeak"/> counts it.</summary>
    public void RecordLeak(bool suppressed) => Contexts.RecordUnique(suppressed);

    /// <summary>
    /// Record an error of the thread running now. <paramref name="key"/> holds what Valgrind compares besides the stack
    /// (kind and, for address errors, size and direction); true when it was new and shown.
    /// </summary>
    public bool Report(MemcheckError error, string key)
    {
        if (host.ErrorsDisabled) return false;
        error = error with { Thread = host.CurrentThread };
        var notices = new List<string>();
        IReadOnlyList<ulong> frames = [.. error.Stack.Frames.Select(f => f.Address)];
        int unique = TakeUnique();
        var (outcome, context) = Contexts.Record(key, _errors.Count, frames, () => Suppressing(error), notices);
        // The notices are text only: with --xml=yes Valgrind writes them nowhere.
        if (Output.Xml is null)
            foreach (string notice in notices) Output.Commentary.Line(notice);
        if (outcome == ErrorOutcome.Repeat && context!.SuppressedBy is { } suppression) Output.Suppressions.Count(suppression);
        if (outcome is not (ErrorOutcome.New or ErrorOutcome.Suppressed)) return false;
        _errors.Add(error);
        _uniques.Add(unique);
        if (outcome != ErrorOutcome.New) return false;
        Show(error, unique);
        return true;
    }

    private Suppression? Suppressing(MemcheckError error)
    {
        var (kind, extra) = ErrorKinds.SuppressionOf(error);
        return Output.Suppressions.Match(kind, s => ErrorKinds.ExtraMatches(s, extra), error.Stack.Frames, host.NumCallers);
    }

    private void Show(MemcheckError error, int unique) =>
        Output.Show(error.ToReport(), unique, error.Thread, () => Suggestion(error));

    /// <summary>The suppression --gen-suppressions offers for an error.</summary>
    private static GeneratedSuppression Suggestion(MemcheckError error)
    {
        var (kind, extra) = ErrorKinds.SuppressionOf(error);
        return new GeneratedSuppression(ErrorKinds.Instance.ToolName, kind, extra, error.Stack);
    }

    /// <summary>Every shown context, in the order the errors were first seen, with its count.</summary>
    public IReadOnlyList<ReportedError> Errors => Reported(suppressed: false);

    /// <summary>Every suppressed context, in the order first seen, with its count and the suppression hiding it.</summary>
    public IReadOnlyList<ReportedError> SuppressedErrors => Reported(suppressed: true);

    private List<ReportedError> Reported(bool suppressed) =>
    [
        .. Contexts.All.Where(c => c.Suppressed == suppressed).OrderBy(c => c.StackId)
            .Select(c => new ReportedError(_errors[c.StackId], c.Count) { SuppressedBy = c.SuppressedBy }),
    ];

    /// <summary>-s: each context, fewest occurrences first, as "N errors in context K of M:" and the error.</summary>
    public void WriteList()
    {
        int index = 0;
        foreach (ErrorContext context in Contexts.ByCount())
        {
            Output.Commentary.Line();
            Output.Commentary.Line($"{context.Count} errors in context {++index} of {Contexts.ContextCount}:");
            Show(_errors[context.StackId], _uniques[context.StackId]);
        }
    }

    /// <summary>XML's error counts: each shown context's count and unique number, most recently seen first.</summary>
    public IEnumerable<(int Count, int Unique)> Counts =>
        Contexts.All.Where(c => !c.Suppressed).Select(c => (c.Count, _uniques[c.StackId]));

    /// <summary>How many contexts <see cref="WriteList"/> lists.</summary>
    public int ListedContexts => Contexts.All.Count(c => !c.Suppressed);
}
