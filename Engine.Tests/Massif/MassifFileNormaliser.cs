using System.Text.RegularExpressions;

namespace Memcheck.Engine.Tests.MassifTool;

/// <summary>
/// Puts a massif.out file or its ms_print rendering into the form golden files are compared in: paths replaced (the
/// program, the fixtures, the output file) as record.sh replaces them, and every code address replaced, since
/// libraries load at other addresses than under Valgrind (function names, files and lines, sizes and times stay exact).
/// </summary>
public static partial class MassifFileNormaliser
{
    /// <param name="paths">Each path in the text and what replaces it, in order.</param>
    public static List<string> Normalise(string text, IEnumerable<(string Path, string Replacement)> paths) =>
        [.. paths.Aggregate(text, (t, p) => t.Replace(p.Path, p.Replacement)).Split('\n').Select(l => HexAddress().Replace(l, "0xADDR"))];

    /// <summary>The biggest allocation path of the peak: the first child at each level, without the sizes.</summary>
    public static List<string> BiggestPeakPath(IReadOnlyList<string> lines) =>
        [.. PeakSnapshot(lines).SkipWhile(l => l != "heap_tree=peak").Skip(1)
            .TakeWhile((l, i) => l.Length - l.TrimStart().Length == i)
            .Select(l => SizePrefix().Replace(l.TrimStart(), ""))];

    /// <summary>The peak snapshot's lines but its time (which depends on the run's other snapshots); empty without a peak.</summary>
    public static List<string> PeakSnapshot(IReadOnlyList<string> lines)
    {
        var all = lines.ToList();
        int tree = all.IndexOf("heap_tree=peak");
        if (tree < 0) return [];
        int start = all.FindLastIndex(tree, l => l.StartsWith("time=")) + 1;
        int end = all.FindIndex(tree, l => l.StartsWith('#'));
        return all[start..(end < 0 ? all.Count : end)];
    }

    /// <summary>A value of the peak snapshot, e.g. "mem_stacks_B"; null without a peak.</summary>
    public static ulong? PeakValue(IReadOnlyList<string> lines, string name) =>
        PeakSnapshot(lines).FirstOrDefault(l => l.StartsWith(name + "=")) is { } line ? ulong.Parse(line[(name.Length + 1)..]) : null;

    [GeneratedRegex(@"0x[0-9A-Fa-f]+")]
    private static partial Regex HexAddress();

    [GeneratedRegex(@"^n\d+: \d+ ")]
    private static partial Regex SizePrefix();
}
