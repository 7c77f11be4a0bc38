using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Golden;

/// <summary>
/// memcheck's report for each case in cases.txt equals Valgrind 3.19's recorded one (record.sh),
/// line for line after normalisation, every stack frame included (only the summaries for the cases
/// cases.txt marks as such), and so does its XML output for the cases that write one. Each case carries its
/// issue as a category (Issue5, Issue6), or Reporting.
/// </summary>
[Category("Slow"), Parallelizable(ParallelScope.Children)]
public class GoldenReportTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        GoldenCase.All().Select(c =>
        {
            var data = new TestCaseData(c);
            return c.Category is { } category ? data.SetCategory(category) : data;
        });

    [TestCaseSource(nameof(Cases))]
    public void ReportMatchesValgrind(GoldenCase golden)
    {
        if (golden.KnownDifference is { } known) Assert.Ignore($"known difference: {known.Why}");
        var run = GoldenRunner.Run(golden);
        Assert.That(run.Result.ExitCode, Is.EqualTo(golden.ExitStatus), run.Result.ToString());

        var expected = Compared(golden, File.ReadAllText(golden.ValgrindReportPath), "PROGRAM");
        var actual = Compared(golden, Unfixtured(run.Result.Stderr), run.ProgramPath);
        Assert.That(actual, Is.EqualTo(expected), () => ReportDiff.Describe(expected, actual));
        if (!golden.WritesXml) return;

        var expectedXml = ReportNormaliser.NormaliseXml(File.ReadAllText(golden.ValgrindXmlPath), "PROGRAM", "XMLFILE");
        var actualXml = ReportNormaliser.NormaliseXml(Unfixtured(run.Xml!), run.ProgramPath, run.XmlPath!);
        Assert.That(actualXml, Is.EqualTo(expectedXml), () => ReportDiff.Describe(expectedXml, actualXml));
    }

    /// <summary>Paths into the fixtures folder as record.sh writes them (suppression files, source directories).</summary>
    private static string Unfixtured(string report) => report.Replace(FixtureCompiler.FixturesDirectory + "/", "FIXTURES/");

    private static List<string> Compared(GoldenCase golden, string report, string? programPath)
    {
        var lines = ReportNormaliser.Normalise(report, programPath, golden.IsMemcheck);
        return golden.Comparison switch
        {
            GoldenComparison.Summaries => ReportNormaliser.Summaries(lines),
            GoldenComparison.Suppressions => ReportNormaliser.SuppressionLines(lines),
            _ => lines,
        };
    }
}
