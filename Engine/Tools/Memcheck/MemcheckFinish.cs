using Memcheck.Engine.Tools.Memcheck.Definedness;
using Memcheck.Engine.Core;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.Heap;
using Memcheck.Engine.Tools.Memcheck.Errors;
using Memcheck.Engine.Tools.Memcheck.Reporting;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// Memcheck's end of run, in Valgrind's order: HEAP SUMMARY, the leak check (loss records, LEAK SUMMARY, hints),
/// then the ERROR SUMMARY (and with -s the list of error contexts and the used suppressions). -q keeps only the errors
/// and loss records; with --xml=yes the loss records and the error and suppression counts go to the XML.
/// </summary>
internal sealed unsafe class MemcheckFinish(ToolHost host, HeapTracker heap, HeapArena arena, ShadowMemory shadow,
    StackStore stacks, ErrorLog errors, SessionOptions options)
{
    /// <summary>Valgrind's VG_STACK_REDZONE_SZB on amd64: memory this far below RSP is still the thread's.</summary>
    private const ulong StackRedzone = 128;

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
        LeakSummary? leaks = null;
        List<ReportedLossRecord> records = [];
        if (Mc.LeakCheck == LeakCheck.No)
        {
            if (verbose)
            {
                c.Line("For a detailed leak analysis, rerun with: --leak-check=full");
                c.Line();
            }
        }
        else if (heap.InUseBlocks == 0)
        {
            leaks = new LeakSummary(default, default, default, default, new Dictionary<LeakHeuristic, ByteBlockCount>());
            if (verbose)
            {
                c.Line(HeapSummaryReport.NoLeaksPossible);
                c.Line();
            }
        }
        else
        {
            LeakCheckResult result = CheckLeaks();
            (records, leaks) = ReportLossRecords(result);
            if (verbose)
            {
                foreach (string line in LeakReport.SummaryLines(leaks)) c.Line(line);
                foreach (string line in LeakReport.Hints(Mc.LeakCheck, Mc.ShowLeakKinds, leaks)) c.Line(line);
                c.Line();
            }
        }
        if (Xml is { } xml)
        {
            xml.ErrorCounts(errors.Counts);
            xml.SuppressionCounts(Suppressions.Used);
        }
        else WriteErrorSummary(c, verbose);
        ErrorContexts contexts = errors.Contexts;
        return new MemcheckReport(errors.Errors, summary, leaks, records, contexts.ErrorsFound, contexts.ContextCount)
        {
            SuppressedErrors = errors.SuppressedErrors,
            SuppressedErrorCount = contexts.SuppressedErrors,
            SuppressedContextCount = contexts.SuppressedContexts,
            UsedSuppressions = Suppressions.Used,
        };
    }

    private XmlOutput? Xml => host.Errors.Xml;
    private SuppressionSet Suppressions => host.Errors.Suppressions;

    private LeakCheckResult CheckLeaks()
    {
        var memory = new ShadowLeakMemory(shadow, FindFileMapping);
        var checker = new LeakChecker(memory, LeakCheckOptions.From(Mc));
        IReadOnlyList<ToolThread> threads = host.Threads;
        var registers = threads.SelectMany(t => Enumerable.Range(0, 16).Select(r => t.State->Gpr[r])).ToList();
        return checker.Check(heap.LiveBlocks, Roots(threads), registers, stacks.Frames);
    }

    /// <summary>
    /// The memory Valgrind scans for pointers: every readable and writable guest mapping except the heap arena, and
    /// of a thread's stack only what lies at or above its stack pointer less the red zone.
    /// </summary>
    private List<RootRange> Roots(IReadOnlyList<ToolThread> threads)
    {
        var excluded = arena.Mappings.Select(m => (m.Start, End: m.Start + m.Length)).ToList();
        foreach (ToolThread thread in threads)
        {
            ulong sp = thread.State->Gpr[4];
            if (host.Space.FindMapping(sp) is { } stack)
                excluded.Add((stack.Start, Math.Max(stack.Start, sp - StackRedzone)));
        }
        var roots = new List<RootRange>();
        const PageProtection ReadWrite = PageProtection.Read | PageProtection.Write;
        foreach (GuestMapping m in host.Space.Mappings)
        {
            if ((m.Protection & ReadWrite) != ReadWrite) continue;
            ulong start = m.Start;
            foreach (var (exStart, exEnd) in excluded.Where(e => e.Start < m.End && e.End > m.Start).OrderBy(e => e.Start))
            {
                if (exStart > start) roots.Add(new RootRange(start, exStart - start));
                start = Math.Max(start, exEnd);
            }
            if (start < m.End) roots.Add(new RootRange(start, m.End - start));
        }
        return roots;
    }

    private FileMapping? FindFileMapping(ulong address) =>
        host.Space.FindMapping(address) is { IsFile: true } m
            ? new FileMapping(m.Start, m.End, (m.Protection & PageProtection.Read) != 0, (m.Protection & PageProtection.Execute) != 0)
            : null;

    /// <summary>
    /// Each loss record is matched against the Leak suppressions (with --leak-check=summary too, for the summary);
    /// with --leak-check=full an unsuppressed record of a shown kind is shown, and one of an error kind counts as an
    /// error, suppressed or not. Returns the records and the summary less what was suppressed.
    /// </summary>
    private (List<ReportedLossRecord> Records, LeakSummary Summary) ReportLossRecords(LeakCheckResult result)
    {
        var reported = new List<ReportedLossRecord>();
        LeakSummary summary = result.Summary;
        var suppressedAmounts = new Dictionary<Suppression, ByteBlockCount>(ReferenceEqualityComparer.Instance);
        bool full = Mc.LeakCheck == LeakCheck.Full;
        for (int i = 0; i < result.LossRecords.Count; i++)
        {
            LossRecord record = result.LossRecords[i];
            StackTrace stack = stacks[record.AllocStack];
            int unique = full ? errors.TakeUnique() : 0;
            var (kind, _) = ErrorKinds.SuppressionOf(record.State);
            Suppression? suppression = Suppressions.Match(kind, s => ErrorKinds.LeakKindsMatch(s, record.State), stack.Frames, host.NumCallers);
            reported.Add(new ReportedLossRecord(i + 1, record, stack) { SuppressedBy = suppression });
            LeakKinds leakKind = LeakReport.KindOf(record.State);
            if (full && (Mc.ErrorsForLeakKinds & leakKind) != 0) errors.RecordLeak(suppressed: suppression is not null);
            if (suppression is not null)
            {
                summary = summary.Suppress(record);
                CountSuppressed(suppression, record, suppressedAmounts);
            }
            else if (full && (Mc.ShowLeakKinds & leakKind) != 0)
                Show(record, i + 1, result.LossRecords.Count, stack, unique);
        }
        return (reported, summary);
    }

    /// <summary>Valgrind reports the loss records as errors of thread 1.</summary>
    private const int LeakCheckThread = 1;

    private void Show(LossRecord record, int number, int count, StackTrace stack, int unique)
    {
        var report = new ErrorReport(ErrorKinds.XmlKind(record.State), LeakReport.LossRecordHeadline(record, number, count), stack, [])
        {
            Leaked = new LeakedAmount(record.TotalBytes, record.Blocks),
        };
        var (kind, extra) = ErrorKinds.SuppressionOf(record.State);
        host.Errors.Show(report, unique, LeakCheckThread, () => new GeneratedSuppression(ErrorKinds.Instance.ToolName, kind, extra, stack));
    }

    /// <summary>
    /// A leak suppression's use is followed by what it hid: " suppressed: 224 bytes in 10 blocks", each record's
    /// bytes with those it holds indirectly.
    /// </summary>
    private void CountSuppressed(Suppression suppression, LossRecord record, Dictionary<Suppression, ByteBlockCount> amounts)
    {
        var amount = amounts.GetValueOrDefault(suppression);
        amounts[suppression] = amount = new ByteBlockCount(amount.Bytes + record.TotalBytes, amount.Blocks + record.Blocks);
        Suppressions.Describe(suppression, $" suppressed: {ValgrindNumber.Format(amount.Bytes)} bytes in {ValgrindNumber.Format(amount.Blocks)} blocks");
    }

    private void WriteErrorSummary(Commentary c, bool verbose)
    {
        bool list = options.ShowErrorList || options.Verbosity >= 2;
        if (verbose && options.Verbosity == 1 && !Mc.TrackOrigins && ValueErrors.AnyIn(errors)) c.Line(ValueErrors.TrackOriginsHint);
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
