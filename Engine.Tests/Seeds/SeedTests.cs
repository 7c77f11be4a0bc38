using Memcheck.Engine.Tests.Golden;

namespace Memcheck.Engine.Tests.Seeds;

/// <summary>
/// The seed document's examples reproduce: Valgrind 3.19's recorded reports hold the seed's numbers (so the
/// fixtures are the seed's programs), and so does memcheck's report of the same run.
/// </summary>
public class SeedTests
{
    private static IEnumerable<SeedExample> Examples() => SeedExample.All;

    [TestCaseSource(nameof(Examples))]
    public void ValgrindsRecordedReportHoldsTheSeedNumbers(SeedExample seed) =>
        AssertHoldsSeed(seed, File.ReadAllText(GoldenCase.Named(seed.CaseName).ValgrindReportPath));

    [TestCaseSource(nameof(Examples)), Category("Slow")]
    public void MemchecksReportHoldsTheSeedNumbers(SeedExample seed)
    {
        var golden = GoldenCase.Named(seed.CaseName);
        if (golden.KnownDifference is { InLeakResults: true } known) Assert.Ignore($"known difference: {known.Why}");
        var run = GoldenRunner.Run(golden);
        Assert.That(run.Result.ExitCode, Is.EqualTo(golden.ExitStatus), run.Result.ToString());
        AssertHoldsSeed(seed, run.Result.Stderr);
    }

    private static void AssertHoldsSeed(SeedExample seed, string report)
    {
        var lines = ReportNormaliser.Normalise(report, null, memcheck: true)
            .Select(l => l.StartsWith("==PID== ") ? l["==PID== ".Length..] : l).ToList();
        int summary = lines.IndexOf("LEAK SUMMARY:");
        Assert.That(summary, Is.GreaterThanOrEqualTo(0), () => Excerpt(lines, 0));
        Assert.That(lines.Skip(summary + 1).Take(seed.LeakSummary.Length), Is.EqualTo(seed.LeakSummary),
            () => Excerpt(lines, summary));

        var definitelyLost = LossRecordFrames(lines, "are definitely lost");
        foreach (string frame in seed.Frames)
            Assert.That(definitelyLost, Has.Some.Contains(": " + frame),
                () => $"no frame {frame} in a definitely lost record\n{Excerpt(lines, Math.Max(summary, 0))}");
    }

    /// <summary>The report's first lines and those around <paramref name="at"/>: reports can hold thousands of loss records.</summary>
    private static string Excerpt(List<string> lines, int at) =>
        string.Join('\n', lines.Take(12).Append("...").Concat(lines.Skip(Math.Max(at - 20, 12)).Take(40)));

    /// <summary>The frame lines ("   by 0x...: f (file:line)") of every loss record whose headline contains <paramref name="kind"/>.</summary>
    private static List<string> LossRecordFrames(List<string> lines, string kind)
    {
        var frames = new List<string>();
        bool inRecord = false;
        foreach (string line in lines)
        {
            if (!line.StartsWith(' ')) inRecord = line.Contains(kind);
            else if (inRecord && (line.StartsWith("   at ") || line.StartsWith("   by "))) frames.Add(line);
        }
        return frames;
    }
}
