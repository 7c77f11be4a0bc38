using Memcheck.Engine.Core;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.Heap;
using Memcheck.Engine.Tools.Memcheck.Errors;
using Memcheck.Engine.Tools.Memcheck.Reporting;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>Which loss records a search shows: all, those that grew since the last search, or those that changed (Valgrind's LCD_Any, LCD_Increased, LCD_Changed).</summary>
public enum LeakDelta
{
    All,
    Increased,
    Changed,
}

/// <summary>
/// Valgrind's leak search, at exit or when the client asks mid-run (VALGRIND_DO_LEAK_CHECK and its added, changed
/// and quick forms): finds the leaks, matches every loss record against the Leak suppressions, shows the unsuppressed
/// records of the kinds shown (text or XML) and the LEAK SUMMARY with its hints, and counts each considered record of
/// an error kind as an error, suppressed or not. It remembers the last search: the next one's increments ("16 (+16)
/// bytes"), records that emptied since (numbered, with zero counts), and VALGRIND_COUNT_LEAKS' answer.
/// </summary>
internal sealed unsafe class LeakSearch(ToolHost host, HeapTracker heap, HeapArena arena, ShadowMemory shadow,
    StackStore stacks, ErrorLog errors, MemcheckOptions options)
{
    /// <summary>Valgrind's VG_STACK_REDZONE_SZB on amd64: memory this far below RSP is still the thread's.</summary>
    private const ulong StackRedzone = 128;

    /// <summary>The last search's loss records, with their counts then.</summary>
    private readonly Dictionary<(LeakState State, int AllocStack), LossRecord> _earlier = [];
    private LeakSummary? _lastSummary;

    /// <summary>The last search's summary, less what was suppressed; null before the first.</summary>
    public LeakSummary? LastSummary => _lastSummary;

    private static readonly LeakSummary NoLeaks = new(default, default, default, default, new Dictionary<LeakHeuristic, ByteBlockCount>());

    private SuppressionSet Suppressions => host.Errors.Suppressions;

    /// <summary>
    /// Searches and reports; <paramref name="full"/> shows loss records (--leak-check=full), else the summary only.
    /// The loss records are errors of <paramref name="thread"/>. With no block in use there is nothing to search:
    /// Valgrind's "no leaks are possible". With --xml=yes only the shown loss records are written.
    /// </summary>
    public (LeakSummary Summary, List<ReportedLossRecord> Records) Run(Commentary c, bool full, LeakDelta delta, int thread)
    {
        bool verbose = !c.Quiet && host.Errors.Xml is null;
        if (heap.InUseBlocks == 0)
        {
            if (verbose)
            {
                c.Line(HeapSummaryReport.NoLeaksPossible);
                c.Line();
            }
            _lastSummary = NoLeaks;
            return (NoLeaks, []);
        }
        LeakCheckResult result = Check();
        var records = WithEarlierRecords(result.LossRecords);
        var reported = new List<ReportedLossRecord>();
        LeakSummary summary = result.Summary;
        var suppressedAmounts = new Dictionary<Suppression, ByteBlockCount>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < records.Count; i++)
        {
            LossRecord record = records[i];
            _earlier.TryGetValue((record.State, record.AllocStack), out LossRecord? before);
            StackTrace stack = stacks[record.AllocStack];
            // Valgrind numbers every loss record it matches as an error, shown or not.
            int unique = errors.TakeUnique();
            Suppression? suppression = Suppressing(record, stack);
            if (record.Blocks > 0) reported.Add(new ReportedLossRecord(i + 1, record, stack) { SuppressedBy = suppression });
            bool considered = full && Considered(record, before, delta);
            LeakKinds kind = LeakReport.KindOf(record.State);
            if (considered && (options.ErrorsForLeakKinds & kind) != 0) errors.RecordLeak(suppressed: suppression is not null);
            if (suppression is not null)
            {
                summary = summary.Suppress(record);
                CountSuppressed(suppression, record, suppressedAmounts);
            }
            else if (considered && (options.ShowLeakKinds & kind) != 0)
            {
                LossRecord? earlier = delta == LeakDelta.All ? null : before ?? record with { DirectBytes = 0, IndirectBytes = 0, Blocks = 0 };
                Show(record, LeakReport.LossRecordHeadline(record, earlier, i + 1, records.Count), stack, unique, thread);
            }
        }
        if (verbose)
        {
            foreach (string line in LeakReport.SummaryLines(summary, delta == LeakDelta.All ? null : _lastSummary ?? NoLeaks)) c.Line(line);
            foreach (string line in LeakReport.Hints(full ? LeakCheck.Full : LeakCheck.Summary, options.ShowLeakKinds, summary)) c.Line(line);
            c.Line();
        }
        _earlier.Clear();
        foreach (LossRecord record in records) _earlier[(record.State, record.AllocStack)] = record;
        _lastSummary = summary;
        return (summary, reported);
    }

    private Suppression? Suppressing(LossRecord record, StackTrace stack)
    {
        var (kind, _) = ErrorKinds.SuppressionOf(record.State);
        return Suppressions.Match(kind, s => ErrorKinds.LeakKindsMatch(s, record.State), stack.Frames, host.NumCallers);
    }

    private void Show(LossRecord record, string headline, StackTrace stack, int unique, int thread)
    {
        var report = new ErrorReport(ErrorKinds.XmlKind(record.State), headline, stack, [])
        {
            Leaked = new LeakedAmount(record.TotalBytes, record.Blocks),
        };
        var (kind, extra) = ErrorKinds.SuppressionOf(record.State);
        host.Errors.Show(report, unique, thread, () => new GeneratedSuppression(ErrorKinds.Instance.ToolName, kind, extra, stack));
    }

    /// <summary>
    /// A leak suppression's use is followed by what it hid in this search: " suppressed: 224 bytes in 10 blocks",
    /// each record's bytes with those it holds indirectly.
    /// </summary>
    private void CountSuppressed(Suppression suppression, LossRecord record, Dictionary<Suppression, ByteBlockCount> amounts)
    {
        var amount = amounts.GetValueOrDefault(suppression);
        amounts[suppression] = amount = new ByteBlockCount(amount.Bytes + record.TotalBytes, amount.Blocks + record.Blocks);
        Suppressions.Describe(suppression, $" suppressed: {ValgrindNumber.Format(amount.Bytes)} bytes in {ValgrindNumber.Format(amount.Blocks)} blocks");
    }

    /// <summary>
    /// Whether a record is shown and counted (Valgrind's delta_considered): when it has blocks, or in the delta modes
    /// when it grew (or, for Changed, shrank).
    /// </summary>
    private static bool Considered(LossRecord record, LossRecord? before, LeakDelta delta) => delta switch
    {
        LeakDelta.Increased => record.TotalBytes > (before?.TotalBytes ?? 0) || record.Blocks > (before?.Blocks ?? 0),
        LeakDelta.Changed => record.TotalBytes != (before?.TotalBytes ?? 0) || record.Blocks != (before?.Blocks ?? 0),
        _ => record.Blocks > 0,
    };

    /// <summary>
    /// This search's records and, with zero counts, those the last search had blocks in and this one found empty, in
    /// Valgrind's order (a record empty in both is gone).
    /// </summary>
    private List<LossRecord> WithEarlierRecords(IReadOnlyList<LossRecord> found)
    {
        var keys = found.Select(r => (r.State, r.AllocStack)).ToHashSet();
        var emptied = _earlier.Where(e => !keys.Contains(e.Key) && e.Value.Blocks > 0).Select(e => e.Value with { DirectBytes = 0, IndirectBytes = 0, Blocks = 0 });
        return [.. found.Concat(emptied).OrderBy(r => r.TotalBytes).ThenBy(r => r.State).ThenBy(r => r.Blocks).ThenBy(r => r.AllocStack)];
    }

    private LeakCheckResult Check()
    {
        var memory = new ShadowLeakMemory(shadow, FindFileMapping);
        var checker = new LeakChecker(memory, LeakCheckOptions.From(options));
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
}
