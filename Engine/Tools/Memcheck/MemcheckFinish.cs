using Memcheck.Engine.Tools.Memcheck.Definedness;
using Memcheck.Engine.Core;
using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.Memcheck.Errors;
using Memcheck.Engine.Tools.Memcheck.Reporting;
using Memcheck.Engine.Tools.Memcheck.Requests;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// Memcheck's end of run, in Valgrind's order: HEAP SUMMARY, the leak search (loss records, LEAK SUMMARY, hints),
/// then the ERROR SUMMARY (and with -s the list of error contexts and the used suppressions). -q keeps only the errors
/// and loss records; with --xml=yes the loss records and the error and suppression counts go to the XML.
/// </summary>
internal sealed class MemcheckFinish(ToolHost host, HeapTracker heap, LeakSearch leaks, ErrorLog errors,
    ErrorReportingRanges errorRanges, SessionOptions options)
{
    /// <summary>Valgrind reports the exit's loss records as errors of thread 1.</summary>
    private const int LeakCheckThread = 1;

    private MemcheckOptions Mc => options.Memcheck;

    public MemcheckReport Write(Commentary c)
    {
        // With --xml=yes the summaries are not written; the leaks and the counts go to the XML.
        bool verbose = !c.Quiet && Xml is null;
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
            (leakSummary, records) = leaks.Run(c, full: Mc.LeakCheck == LeakCheck.Full, LeakDelta.All, LeakCheckThread);
        }
        if (verbose && options.Verbosity == 1 && !Mc.TrackOrigins && ValueErrors.AnyIn(errors)) c.Line(ValueErrors.TrackOriginsHint);
        // Text even with --xml=yes, as Valgrind's.
        foreach (string line in errorRanges.ExitWarning()) c.Line(line);
        if (Xml is { } xml)
        {
            xml.ErrorCounts(errors.Counts);
            xml.SuppressionCounts(Suppressions.Used);
        }
        else WriteErrorSummary(c, verbose);
        ErrorContexts contexts = errors.Contexts;
        return new MemcheckReport(errors.Errors, summary, leakSummary, records, contexts.ErrorsFound, contexts.ContextCount)
        {
            SuppressedErrors = errors.SuppressedErrors,
            SuppressedErrorCount = contexts.SuppressedErrors,
            SuppressedContextCount = contexts.SuppressedContexts,
            UsedSuppressions = Suppressions.Used,
        };
    }

    private XmlOutput? Xml => host.Errors.Xml;
    private SuppressionSet Suppressions => host.Errors.Suppressions;

    private void WriteErrorSummary(Commentary c, bool verbose)
    {
        bool list = options.ShowErrorList || options.Verbosity >= 2;
        if (verbose && !list) c.Line("For lists of detected and suppressed errors, rerun with: -s");
        if (verbose) c.Line(errors.Contexts.SummaryLine);
        if (!list) return;
        errors.WriteList();
        List<string> used = [.. Suppressions.UsedLines()];
        if (used.Count > 0)
        {
            c.Verbose();
            foreach (string line in used) c.Verbose(line);
            c.Line();
        }
        if (errors.ListedContexts > 0 || used.Count > 0) c.Line(errors.Contexts.SummaryLine);
    }
}
