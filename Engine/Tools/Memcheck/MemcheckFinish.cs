using Memcheck.Engine.Tools.Memcheck.Definedness;
using Memcheck.Engine.Core;
using Memcheck.Engine.Tools.Memcheck.Errors;
using Memcheck.Engine.Tools.Memcheck.Reporting;
using Memcheck.Engine.Tools.Memcheck.Requests;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// Memcheck's end of run, in Valgrind's order: HEAP SUMMARY, the leak search (loss records, LEAK SUMMARY, hints),
/// then the ERROR SUMMARY (and with -s the list of error contexts). -q keeps only the errors and loss records.
/// </summary>
internal sealed class MemcheckFinish(HeapTracker heap, LeakSearch leaks, ErrorLog errors, ErrorReportingRanges errorRanges, SessionOptions options)
{
    private MemcheckOptions Mc => options.Memcheck;

    public MemcheckReport Write(Commentary c)
    {
        bool verbose = !c.Quiet;
        var summary = new HeapSummary(heap.InUseBytes, heap.InUseBlocks, heap.TotalAllocs, heap.TotalFrees, heap.TotalBytesAllocated);
        if (verbose)
        {
            c.Line();
            foreach (string line in HeapSummaryReport.Lines(heap)) c.Line(line);
            c.Line();
        }
        LeakSummary? leakSummary = null;
        List<ReportedLossRecord> records = [];
        if (Mc.LeakCheck == LeakCheck.No)
        {
            if (verbose)
            {
                c.Line("For a detailed leak analysis, rerun with: --leak-check=full");
                c.Line();
            }
        }
        else
        {
            (leakSummary, records) = leaks.Run(c, full: Mc.LeakCheck == LeakCheck.Full, LeakDelta.All);
        }
        WriteErrorSummary(c, verbose);
        ErrorContexts contexts = errors.Contexts;
        return new MemcheckReport(errors.Errors, summary, leakSummary, records, contexts.ErrorsFound, contexts.ContextCount);
    }

    private void WriteErrorSummary(Commentary c, bool verbose)
    {
        foreach (string line in errorRanges.ExitWarning()) c.Line(line);
        bool list = options.ShowErrorList || options.Verbosity >= 2;
        if (verbose && options.Verbosity == 1 && !Mc.TrackOrigins && ValueErrors.AnyIn(errors)) c.Line(ValueErrors.TrackOriginsHint);
        if (verbose && !list) c.Line("For lists of detected and suppressed errors, rerun with: -s");
        if (verbose) c.Line(errors.Contexts.SummaryLine);
        if (!list) return;
        errors.WriteList();
        if (errors.ListedContexts > 0) c.Line(errors.Contexts.SummaryLine);
    }
}
