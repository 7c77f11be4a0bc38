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

    /// <summary>"48 (16 direct, 32 indirect) bytes in 1 blocks are definitely lost in loss record 5 of 7"; number is 1-based.</summary>
    public static string LossRecordHeadline(LossRecord record, int number, int count)
    {
        string bytes = record.IndirectBytes > 0
            ? $"{Format(record.TotalBytes)} ({Format(record.DirectBytes)} direct, {Format(record.IndirectBytes)} indirect)"
            : Format(record.DirectBytes);
        return $"{bytes} bytes in {Format(record.Blocks)} blocks are {StateText(record.State)} in loss record {Format((ulong)number)} of {Format((ulong)count)}";
    }

    public static IReadOnlyList<string> SummaryLines(LeakSummary summary)
    {
        var lines = new List<string>
        {
            "LEAK SUMMARY:",
            Line("   definitely lost", summary.DefinitelyLost),
            Line("   indirectly lost", summary.IndirectlyLost),
            Line("     possibly lost", summary.PossiblyLost),
            Line("   still reachable", summary.StillReachable),
        };
        if (summary.ReachableViaHeuristic.Count > 0)
        {
            lines.Add("                      of which reachable via heuristic:");
            foreach ((LeakHeuristic heuristic, ByteBlockCount count) in summary.ReachableViaHeuristic)
                lines.Add(Line($"                        {HeuristicName(heuristic),-19}", count));
        }
        lines.Add(Line("        suppressed", summary.Suppressed));
        return lines;
    }

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

    private static string Line(string label, ByteBlockCount count) => $"{label}: {Format(count.Bytes)} bytes in {Format(count.Blocks)} blocks";
}
