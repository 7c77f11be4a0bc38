using Memcheck.Engine.Core;

namespace Memcheck.Engine.Tools.Memcheck.Errors;

/// <summary>
/// Memcheck's errors as Valgrind's error manager handles them: each is merged into its context
/// (<see cref="ErrorContexts"/>) and printed the first time only, followed by a blank line. An error printed from
/// another thread than the last one printed (the main thread at first) is headed "Thread N:".
/// </summary>
public sealed class ErrorLog(Commentary commentary, bool errorLimit)
{
    private readonly List<MemcheckError> _errors = [];
    private int _lastThreadShown = 1;

    public ErrorContexts Contexts { get; } = new(errorLimit);

    /// <summary>Valgrind prints a loss record as an error; <see cref="RecordLeak"/> counts it.</summary>
    public void RecordLeak() => Contexts.RecordUnique(suppressed: false);

    /// <summary>
    /// Record an error. <paramref name="key"/> holds what Valgrind compares besides the stack (kind and, for
    /// address errors, size and direction); true when it was new and printed.
    /// </summary>
    public bool Report(MemcheckError error, string key)
    {
        var notices = new List<string>();
        IReadOnlyList<ulong> frames = [.. error.Stack.Frames.Select(f => f.Address)];
        ErrorOutcome outcome = Contexts.Record(key, _errors.Count, frames, suppressed: false, notices);
        foreach (string notice in notices) commentary.Line(notice);
        if (outcome != ErrorOutcome.New) return false;
        _errors.Add(error);
        Show(error);
        commentary.Line();
        return true;
    }

    private void Show(MemcheckError error)
    {
        if (error.Thread != _lastThreadShown) commentary.Line($"Thread {error.Thread}:");
        _lastThreadShown = error.Thread;
        foreach (string line in error.Render()) commentary.Line(line);
    }

    /// <summary>Every context, in the order the errors were first seen, with its count.</summary>
    public IReadOnlyList<ReportedError> Errors =>
        [.. Contexts.ByCount().OrderBy(c => c.StackId).Select(c => new ReportedError(_errors[c.StackId], c.Count))];

    /// <summary>-s: each context, fewest occurrences first, as "N errors in context K of M:" and the error.</summary>
    public void WriteList()
    {
        int index = 0;
        foreach (ErrorContext context in Contexts.ByCount())
        {
            commentary.Line();
            commentary.Line($"{context.Count} errors in context {++index} of {Contexts.ContextCount}:");
            Show(_errors[context.StackId]);
            commentary.Line();
        }
    }

    /// <summary>How many contexts <see cref="WriteList"/> lists.</summary>
    public int ListedContexts => _errors.Count;
}
