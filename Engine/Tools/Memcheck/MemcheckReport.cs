using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tools.Memcheck.Errors;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>The HEAP SUMMARY numbers.</summary>
public sealed record HeapSummary(ulong InUseBytes, ulong InUseBlocks, ulong Allocs, ulong Frees, ulong BytesAllocated);

/// <summary>A loss record as reported: its number (1-based, of all records), blocks and bytes, and allocation stack.</summary>
public sealed record ReportedLossRecord(int Number, LossRecord Record, StackTrace AllocStack);

/// <summary>
/// What memcheck found in a run, for .NET callers: the errors (one per context, with counts), the heap summary, the
/// leak summary and loss records (null and empty with --leak-check=no), and the ERROR SUMMARY counts.
/// </summary>
public sealed record MemcheckReport(
    IReadOnlyList<ReportedError> Errors,
    HeapSummary Heap,
    LeakSummary? Leaks,
    IReadOnlyList<ReportedLossRecord> LossRecords,
    int ErrorCount,
    int ErrorContextCount);
