using System.Globalization;

namespace Memcheck.Engine.Tools.Massif;

/// <summary>
/// massif.out in the format Valgrind 3.19's massif writes and ms_print reads: a header (the tool's options, the command,
/// the time unit), then each snapshot's sizes and, for detailed and peak snapshots, its heap tree, one entry a line
/// ("n&lt;children&gt;: &lt;bytes&gt; &lt;what&gt;") indented by its depth.
/// </summary>
internal static class MassifOutFile
{
    private const string Separator = "#-----------";

    private static readonly Dictionary<MassifTimeUnit, string> TimeUnitNames = new()
    {
        [MassifTimeUnit.Instructions] = "i", [MassifTimeUnit.Milliseconds] = "ms", [MassifTimeUnit.Bytes] = "B",
    };

    public static void Write(TextWriter output, MassifReport report, double threshold)
    {
        output.Write($"desc: {(report.Arguments.Count == 0 ? "(none)" : string.Join(' ', report.Arguments))}\n");
        output.Write($"cmd: {report.Command}\n");
        output.Write($"time_unit: {TimeUnitNames[report.TimeUnit]}\n");
        foreach (MassifSnapshot snapshot in report.Snapshots)
        {
            output.Write($"{Separator}\nsnapshot={snapshot.Number}\n{Separator}\n");
            output.Write($"time={snapshot.Time}\n");
            output.Write($"mem_heap_B={snapshot.HeapBytes}\n");
            output.Write($"mem_heap_extra_B={snapshot.HeapExtraBytes}\n");
            output.Write($"mem_stacks_B={snapshot.StackBytes}\n");
            output.Write($"heap_tree={TreeName(snapshot)}\n");
            if (snapshot.Tree is { } tree) WriteEntry(output, tree, 0, threshold);
        }
    }

    /// <summary>What the snapshot's tree is: none ("empty", also a peak's with --heap=no), detailed, or the peak.</summary>
    private static string TreeName(MassifSnapshot snapshot) => snapshot.Tree is null ? "empty" : snapshot.Kind == SnapshotKind.Peak ? "peak" : "detailed";

    private static void WriteEntry(TextWriter output, HeapTreeEntry entry, int depth, double threshold)
    {
        switch (entry)
        {
            case AllocationFunctionsEntry root:
                Line(output, depth, root.Children.Count, root.Bytes, root.Pages
                    ? "(page allocation syscalls) mmap/mremap/brk, --alloc-fns, etc."
                    : "(heap allocation functions) malloc/new/new[], --alloc-fns, etc.");
                break;
            case CodeLocationEntry location:
                // An address inside inlined code is one entry a frame, the inlined calls first, as one chain.
                for (int i = 0; i < location.Frames.Count - 1; i++) Line(output, depth++, 1, location.Bytes, location.Frames[i].Description);
                Line(output, depth, location.Children.Count, location.Bytes, location.Frames[^1].Description);
                break;
            case BelowThresholdEntry below:
                string percent = threshold.ToString("F2", CultureInfo.InvariantCulture);
                Line(output, depth, 0, below.Bytes, below.Places == 1
                    ? $"in 1 place, below massif's threshold ({percent}%)"
                    : $"in {below.Places} places, all below massif's threshold ({percent}%)");
                break;
        }
        foreach (HeapTreeEntry child in entry.Children) WriteEntry(output, child, depth + 1, threshold);
    }

    private static void Line(TextWriter output, int depth, int children, ulong bytes, string what) =>
        output.Write($"{new string(' ', depth)}n{children}: {bytes} {what}\n");
}
