using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Reporting;
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
    /// <summary>VALGRIND_CHECK_MEM_IS_DEFINED found an undefined byte, or either check an unaddressable one.</summary>
    UninitialisedClientCheck,
    UnaddressableClientCheck,
}

/// <summary>
/// Where an error's address lies, as Valgrind describes it under the error: the description lines (without their
/// leading space), then the block's stack (alloc'd, or free'd) and, for a freed block, "Block was alloc'd at" and its
/// alloc stack.
/// </summary>
public sealed record AddressDescription(IReadOnlyList<string> Lines, StackTrace? BlockStack = null, StackTrace? AllocStack = null)
{
    /// <summary>The description as aux lines: the block's stack goes with the last line.</summary>
    public IEnumerable<AuxLine> Details()
    {
        for (int i = 0; i < Lines.Count; i++) yield return new AuxLine(Lines[i], i == Lines.Count - 1 ? BlockStack : null);
        if (AllocStack is not null) yield return new AuxLine("Block was alloc'd at", AllocStack);
    }

    public IEnumerable<string> Render() => Details().SelectMany(ErrorReport.AuxText);
}

/// <summary>
/// One error as reported: its kind, headline ("Invalid read of size 4"), stack and address description, and for an
/// undefined value with --track-origins=yes, where that value was created (null when it has no origin).
/// <see cref="Size"/> is the access or value size of address and value errors; <see cref="Parameter"/> the syscall
/// parameter ("write(buf)") or function argument ("malloc(size)") of a syscall or fishy-value error. Both are what
/// suppressions tell such errors apart by.
/// </summary>
public sealed record MemcheckError(MemcheckErrorKind Kind, string Headline, StackTrace Stack, AddressDescription? Address,
    ValueOrigin? Origin = null)
{
    public int Size { get; init; }
    public string? Parameter { get; init; }

    /// <summary>Valgrind's number of the thread the error happened in (1 for the main thread).</summary>
    public int Thread { get; init; } = 1;

    /// <summary>The lines under the stack: the address's description, then the value's origin.</summary>
    public IReadOnlyList<AuxLine> Details => [.. Address?.Details() ?? [], .. Origin is null ? Array.Empty<AuxLine>() : [Origin.Details()]];

    /// <summary>The report lines, without the blank line Valgrind prints after each error.</summary>
    public IEnumerable<string> Render() => ToReport().TextLines();

    /// <summary>The error in the core's shape, for the text and XML writers.</summary>
    public ErrorReport ToReport() =>
        new(ErrorKinds.XmlKind(Kind), Headline, Stack, Details) { WhatLayout = ErrorKinds.WhatLayout(Kind) };
}

/// <summary>
/// A distinct error (context) and how many times it occurred; <see cref="SuppressedBy"/> is the suppression that
/// hid it, for the contexts that were not shown.
/// </summary>
public sealed record ReportedError(MemcheckError Error, int Count)
{
    public Suppression? SuppressedBy { get; init; }
}
