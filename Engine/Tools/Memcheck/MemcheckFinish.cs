using Memcheck.Engine.Tools.Memcheck.Definedness;
using Memcheck.Engine.Core;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Tools.Heap;
using Memcheck.Engine.Tools.Memcheck.Errors;
using Memcheck.Engine.Tools.Memcheck.Reporting;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// Memcheck's end of run, in Valgrind's order: HEAP SUMMARY, the leak check (loss records, LEAK SUMMARY, hints),
/// then the ERROR SUMMARY (and with -s the list of error contexts). -q keeps only the errors and loss records.
/// </summary>
internal sealed unsafe class MemcheckFinish(ToolHost host, HeapTracker heap, HeapArena arena, ShadowMemory shadow,
    StackStore stacks, ErrorLog errors, SessionOptions options)
{
    /// <summary>Valgrind's VG_STACK_REDZONE_SZB on amd64: memory this far below RSP is still the thread's.</summary>
    private const ulong StackRedzone = 128;

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
            leaks = result.Summary;
            records = WriteLossRecords(c, result);
            if (verbose)
            {
                foreach (string line in LeakReport.SummaryLines(result.Summary)) c.Line(line);
                foreach (string line in LeakReport.Hints(Mc.LeakCheck, Mc.ShowLeakKinds, result.Summary)) c.Line(line);
                c.Line();
            }
        }
        WriteErrorSummary(c, verbose);
        ErrorContexts contexts = errors.Contexts;
        return new MemcheckReport(errors.Errors, summary, leaks, records, contexts.ErrorsFound, contexts.ContextCount);
    }

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

    /// <summary>--leak-check=full: each record of a shown kind, and each of an error kind counted as an error.</summary>
    private List<ReportedLossRecord> WriteLossRecords(Commentary c, LeakCheckResult result)
    {
        var reported = new List<ReportedLossRecord>();
        int count = result.LossRecords.Count;
        for (int i = 0; i < count; i++)
        {
            LossRecord record = result.LossRecords[i];
            reported.Add(new ReportedLossRecord(i + 1, record, stacks[record.AllocStack]));
            if (Mc.LeakCheck != LeakCheck.Full) continue;
            LeakKinds kind = LeakReport.KindOf(record.State);
            if ((Mc.ErrorsForLeakKinds & kind) != 0) errors.RecordLeak();
            if ((Mc.ShowLeakKinds & kind) == 0) continue;
            c.Line(LeakReport.LossRecordHeadline(record, i + 1, count));
            foreach (string line in stacks[record.AllocStack].Render()) c.Line(line);
            c.Line();
        }
        return reported;
    }

    private void WriteErrorSummary(Commentary c, bool verbose)
    {
        bool list = options.ShowErrorList || options.Verbosity >= 2;
        if (verbose && options.Verbosity == 1 && !Mc.TrackOrigins && ValueErrors.AnyIn(errors)) c.Line(ValueErrors.TrackOriginsHint);
        if (verbose && !list) c.Line("For lists of detected and suppressed errors, rerun with: -s");
        if (verbose) c.Line(errors.Contexts.SummaryLine);
        if (!list) return;
        errors.WriteList();
        if (errors.ListedContexts > 0) c.Line(errors.Contexts.SummaryLine);
    }
}
