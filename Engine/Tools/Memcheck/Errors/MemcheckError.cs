using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tools.Memcheck.Errors;

/// <summary>The kinds of error memcheck reports (leaks are reported as loss records).</summary>
public enum MemcheckErrorKind
{
    InvalidRead,
    InvalidWrite,
    InvalidFree,
    MismatchedFree,
    FishyValue,
    UninitialisedCondition,
    UninitialisedValue,
    UninitialisedSyscallParam,
    UnaddressableSyscallParam,
    Overlap,
}

/// <summary>
/// Where an error's address lies, as Valgrind describes it under the error: the description lines (without their
/// leading space), then the block's stack (alloc'd, or free'd) and, for a freed block, "Block was alloc'd at" and its
/// alloc stack.
/// </summary>
public sealed record AddressDescription(IReadOnlyList<string> Lines, StackTrace? BlockStack = null, StackTrace? AllocStack = null)
{
    public IEnumerable<string> Render()
    {
        foreach (string line in Lines) yield return " " + line;
        if (BlockStack is not null)
            foreach (string frame in BlockStack.Render()) yield return frame;
        if (AllocStack is null) yield break;
        yield return " Block was alloc'd at";
        foreach (string frame in AllocStack.Render()) yield return frame;
    }
}

/// <summary>
/// One error as reported: its kind, headline ("Invalid read of size 4"), stack and address description, and for an
/// undefined value with --track-origins=yes, where that value was created (null when it has no origin).
/// </summary>
public sealed record MemcheckError(MemcheckErrorKind Kind, string Headline, StackTrace Stack, AddressDescription? Address,
    ValueOrigin? Origin = null)
{
    /// <summary>Valgrind's number of the thread the error happened in (1 for the main thread).</summary>
    public int Thread { get; init; } = 1;

    /// <summary>The report lines, without the blank line Valgrind prints after each error.</summary>
    public IEnumerable<string> Render()
    {
        yield return Headline;
        foreach (string frame in Stack.Render()) yield return frame;
        if (Address is not null)
            foreach (string line in Address.Render()) yield return line;
        if (Origin is not null)
            foreach (string line in Origin.Render()) yield return line;
    }
}

/// <summary>A distinct error (context) and how many times it occurred.</summary>
public sealed record ReportedError(MemcheckError Error, int Count);
