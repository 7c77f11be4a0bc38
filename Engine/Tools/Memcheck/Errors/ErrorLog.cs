using Memcheck.Engine.Core;

namespace Memcheck.Engine.Tools.Memcheck.Errors;

/// <summary>
/// Memcheck's errors as Valgrind's error manager handles them: each is merged into its context
/// (<see cref="ErrorContexts"/>) and printed the first time only, followed by a blank line.
/// </summary>
/// <param name="reportingDisabled">Whether the running thread's errors are off (VALGRIND_DISABLE_ERROR_REPORTING): then
/// they are neither shown nor counted.</param>
public sealed class ErrorLog(Commentary commentary, bool errorLimit, Func<bool>? reportingDisabled = null)
{
    private readonly List<MemcheckError> _errors = [];

    public ErrorContexts Contexts { get; } = new(errorLimit);

    /// <summary>Valgrind prints a loss record as an error; <see cref="RecordLeak"/> counts it.</summary>
    public void RecordLeak() => Contexts.RecordUnique(suppressed: false);

    /// <summary>
    /// Record an error. <paramref name="key"/> holds what Valgrind compares besides the stack (kind and, for
    /// address errors, size and direction); true when it was new and printed.
    /// </summary>
    public bool Report(MemcheckError error, string key)
    {
        if (reportingDisabled?.Invoke() == true) return false;
        var notices = new List<string>();
        IReadOnlyList<ulong> frames = [.. error.Stack.Frames.Select(f => f.Address)];
        ErrorOutcome outcome = Contexts.Record(key, _errors.Count, frames, suppressed: false, notices);
        foreach (string notice in notices) commentary.Line(notice);
        if (outcome != ErrorOutcome.New) return false;
        _errors.Add(error);
        foreach (string line in error.Render()) commentary.Line(line);
        commentary.Line();
        return true;
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
            foreach (string line in _errors[context.StackId].Render()) commentary.Line(line);
            commentary.Line();
        }
    }

    /// <summary>How many contexts <see cref="WriteList"/> lists.</summary>
    public int ListedContexts => _errors.Count;
}
