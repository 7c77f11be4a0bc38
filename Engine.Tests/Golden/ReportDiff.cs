using System.Text;

namespace Memcheck.Engine.Tests.Golden;

/// <summary>
/// A line diff of two reports for failure messages: the first differing line, then every line marked
/// "  " (both), "- " (Valgrind only) or "+ " (memcheck only), from a longest common subsequence.
/// </summary>
public static class ReportDiff
{
    private const long MaxDiffCells = 4_000_000;
    private const int ContextLines = 40;

    public static string Describe(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var text = new StringBuilder();
        int first = Enumerable.Range(0, Math.Min(expected.Count, actual.Count))
            .FirstOrDefault(i => expected[i] != actual[i], Math.Min(expected.Count, actual.Count));
        text.AppendLine($"first difference at line {first + 1}:");
        text.AppendLine($"  valgrind: {(first < expected.Count ? expected[first] : "(end of report)")}");
        text.AppendLine($"  memcheck: {(first < actual.Count ? actual[first] : "(end of report)")}");
        if ((long)expected.Count * actual.Count > MaxDiffCells)
        {
            // Too big to diff (thousands of unmerged loss records): show where the reports part.
            text.AppendLine("memcheck from there on:");
            foreach (string line in actual.Skip(first).Take(ContextLines)) text.AppendLine("+ " + line);
            return text.ToString();
        }
        text.AppendLine("diff (- valgrind, + memcheck):");
        foreach (string line in Lines(expected, actual)) text.AppendLine(line);
        return text.ToString();
    }

    private static IEnumerable<string> Lines(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        // common[i, j] = length of the longest common subsequence of a[i..] and b[j..].
        var common = new int[a.Count + 1, b.Count + 1];
        for (int i = a.Count - 1; i >= 0; i--)
            for (int j = b.Count - 1; j >= 0; j--)
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);

        int x = 0, y = 0;
        while (x < a.Count || y < b.Count)
        {
            if (x < a.Count && y < b.Count && a[x] == b[y]) { yield return "  " + a[x]; x++; y++; }
            else if (y < b.Count && (x == a.Count || common[x, y + 1] >= common[x + 1, y])) yield return "+ " + b[y++];
            else yield return "- " + a[x++];
        }
    }
}
