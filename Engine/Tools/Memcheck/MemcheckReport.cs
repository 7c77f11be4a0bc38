using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.Memcheck.Errors;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>The HEAP SUMMARY numbers.</summary>
public sealed record HeapSummary(ulong InUseBytes, ulong InUseBlocks, ulong Allocs, ulong Frees, ulong BytesAllocated);

/// <summary>
/// A loss record as reported: its number (1-based, of all records), blocks and bytes, and allocation stack;
/// <see cref="SuppressedBy"/> is the suppression that hid it.
/// </summary>
public sealed record ReportedLossRecord(int Number, LossRecord Record, StackTrace AllocStack)
{
    public Suppression? SuppressedBy { get; init; }
}

/// <summary>
/// What memcheck found in a run, for .NET callers: the errors (one per context, with counts), the heap summary, the
/// leak summary and loss records (null and empty with --leak-check=no), and the ERROR SUMMARY counts. Errors that
/// suppressions hid are kept apart, with the suppression that hid each, and so are the suppressions' uses.
/// </summary>
public sealed record MemcheckReport(
    IReadOnlyList<ReportedError> Errors,
    HeapSummary Heap,
    LeakSummary? Leaks,
    IReadOnlyList<ReportedLossRecord> LossRecords,
    int ErrorCount,
    int ErrorContextCount)
{
    public IReadOnlyList<ReportedError> SuppressedErrors { get; init; } = [];
    /// <summary>"(suppressed: N from M)": suppressed errors and their contexts (leaks of error kinds included).</summary>
    public int SuppressedErrorCount { get; init; }
    public int SuppressedContextCount { get; init; }
    /// <summary>The suppressions that matched, most recently matched first, as -s lists them.</summary>
    public IReadOnlyList<SuppressionUse> UsedSuppressions { get; init; } = [];
}
