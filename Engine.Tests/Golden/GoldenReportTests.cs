namespace Memcheck.Engine.Tests.Golden;

/// <summary>
/// memcheck's report for each case in cases.txt equals Valgrind 3.19's recorded one (record.sh),
/// line for line after normalisation, every stack frame included (only the summaries for the cases
/// cases.txt marks as such). Each case carries its issue as a category (Issue5, Issue6).
/// </summary>
[Category("Slow"), Parallelizable(ParallelScope.Children)]
public class GoldenReportTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        GoldenCase.All().Select(c =>
        {
            var data = new TestCaseData(c);
            return c.Issue is int issue ? data.SetCategory($"Issue{issue}") : data;
        });

    [TestCaseSource(nameof(Cases))]
    public void ReportMatchesValgrind(GoldenCase golden)
    {
        if (golden.KnownDifference is { } known) Assert.Ignore($"known difference: {known.Why}");
        var run = GoldenRunner.Run(golden);
        Assert.That(run.Result.ExitCode, Is.EqualTo(golden.ExitStatus), run.Result.ToString());

        var expected = Compared(golden, File.ReadAllText(golden.ValgrindReportPath), "PROGRAM");
        var actual = Compared(golden, run.Result.Stderr, run.ProgramPath);
        Assert.That(actual, Is.EqualTo(expected), () => ReportDiff.Describe(expected, actual));
    }

    private static List<string> Compared(GoldenCase golden, string report, string? programPath)
    {
        var lines = ReportNormaliser.Normalise(report, programPath, golden.IsMemcheck);
        return golden.Comparison == GoldenComparison.Summaries ? ReportNormaliser.Summaries(lines) : lines;
    }
}
