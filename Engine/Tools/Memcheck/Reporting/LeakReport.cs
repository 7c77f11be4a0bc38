using static Memcheck.Engine.Tools.Memcheck.Reporting.ValgrindNumber;

namespace Memcheck.Engine.Tools.Memcheck.Reporting;

/// <summary>The leak check's text, worded and padded as Valgrind 3.19 prints it (lines without the ==PID== prefix).</summary>
public static class LeakReport
{
    public static string StateText(LeakState state) => state switch
    {
        LeakState.DefinitelyLost => "definitely lost",
        LeakState.IndirectlyLost => "indirectly lost",
        LeakState.PossiblyLost => "possibly lost",
        _ => "still reachable",
    };

    /// <summary>Valgrind's --leak-check-heuristics names.</summary>
    public static string HeuristicName(LeakHeuristic heuristic) => heuristic switch
    {
        LeakHeuristic.StdString => "stdstring",
        LeakHeuristic.Length64 => "length64",
        LeakHeuristic.NewArray => "newarray",
        LeakHeuristic.MultipleInheritance => "multipleinheritance",
        _ => "none",
    };

    /// <summary>
    /// "48 (16 direct, 32 indirect) bytes in 1 blocks are definitely lost in loss record 5 of 7"; number is 1-based.
    /// With the record as the earlier search found it (VALGRIND_DO_ADDED_LEAK_CHECK), each count carries its change:
    /// "32 (+32) (16 (+16) direct, 16 (+16) indirect) bytes in 1 (+1) blocks".
    /// </summary>
    public static string LossRecordHeadline(LossRecord record, LossRecord? before, int number, int count)
    {
        string Count(ulong now, ulong then) => before is not null ? $"{Format(now)} ({Change(now, then)})" : Format(now);
        string bytes = record.IndirectBytes > 0
            ? $"{Count(record.TotalBytes, before?.TotalBytes ?? 0)} ({Count(record.DirectBytes, before?.DirectBytes ?? 0)} direct, " +
              $"{Count(record.IndirectBytes, before?.IndirectBytes ?? 0)} indirect)"
            : Count(record.DirectBytes, before?.DirectBytes ?? 0);
        return $"{bytes} bytes in {Count(record.Blocks, before?.Blocks ?? 0)} blocks are {StateText(record.State)} in loss record {Format((ulong)number)} of {Format((ulong)count)}";
    }

    /// <summary>The LEAK SUMMARY; with an earlier search's summary, each count carries its change ("40 (+30) bytes").</summary>
    public static IReadOnlyList<string> SummaryLines(LeakSummary summary, LeakSummary? before = null)
    {
        string Line(string label, ByteBlockCount now, ByteBlockCount then) => before is null
            ? $"{label}: {Format(now.Bytes)} bytes in {Format(now.Blocks)} blocks"
            : $"{label}: {Format(now.Bytes)} ({Change(now.Bytes, then.Bytes)}) bytes in {Format(now.Blocks)} ({Change(now.Blocks, then.Blocks)}) blocks";
        var lines = new List<string>
        {
            "LEAK SUMMARY:",
            Line("   definitely lost", summary.DefinitelyLost, before?.DefinitelyLost ?? default),
            Line("   indirectly lost", summary.IndirectlyLost, before?.IndirectlyLost ?? default),
            Line("     possibly lost", summary.PossiblyLost, before?.PossiblyLost ?? default),
            Line("   still reachable", summary.StillReachable, before?.StillReachable ?? default),
        };
        if (summary.ReachableViaHeuristic.Count > 0)
        {
            lines.Add("                      of which reachable via heuristic:");
            foreach ((LeakHeuristic heuristic, ByteBlockCount count) in summary.ReachableViaHeuristic)
                lines.Add(Line($"                        {HeuristicName(heuristic),-19}", count,
                    before?.ReachableViaHeuristic.GetValueOrDefault(heuristic) ?? default));
        }
        lines.Add(Line("        suppressed", summary.Suppressed, before?.Suppressed ?? default));
        return lines;
    }

    /// <summary>A count's change since the earlier search: "+30", "-100", "+0".</summary>
    private static string Change(ulong now, ulong then) => now >= then ? $"+{Format(now - then)}" : $"-{Format(then - now)}";

    /// <summary>The kind flag --show-leak-kinds and --errors-for-leak-kinds use for a state.</summary>
    public static LeakKinds KindOf(LeakState state) => state switch
    {
        LeakState.DefinitelyLost => LeakKinds.Definite,
        LeakState.IndirectlyLost => LeakKinds.Indirect,
        LeakState.PossiblyLost => LeakKinds.Possible,
        _ => LeakKinds.Reachable,
    };

    /// <summary>The hints after the LEAK SUMMARY lines (before the closing blank line), as Valgrind decides them.</summary>
    public static IReadOnlyList<string> Hints(LeakCheck mode, LeakKinds shown, LeakSummary summary)
    {
        ulong blocks = summary.DefinitelyLost.Blocks + summary.IndirectlyLost.Blocks + summary.PossiblyLost.Blocks + summary.StillReachable.Blocks;
        if (mode != LeakCheck.Full)
            return blocks > 0 ? ["Rerun with --leak-check=full to see details of leaked memory"] : [];
        if (summary.StillReachable.Blocks > 0 && (shown & LeakKinds.Reachable) == 0)
            return ["Reachable blocks (those to which a pointer was found) are not shown.", "To see them, rerun with: --leak-check=full --show-leak-kinds=all"];
        return [];
    }

}
