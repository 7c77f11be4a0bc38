using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Golden;

/// <summary>
/// memcheck's report for each case in cases.txt equals Valgrind 3.19's recorded one (record.sh),
/// line for line after normalisation, every stack frame included.
/// </summary>
[Category("Slow")]
public class GoldenReportTests
{
    private static IEnumerable<GoldenCase> Cases() => GoldenCase.All();

    [TestCaseSource(nameof(Cases))]
    public void ReportMatchesValgrind(GoldenCase golden)
    {
        string program = FixtureCompiler.Compile(golden.Source, golden.CompilerFlags);
        var run = EngineRunner.Run(golden.ToolOptions, program);
        Assert.That(run.ExitCode, Is.EqualTo(golden.ExitStatus), run.ToString());

        var expected = ReportNormaliser.Normalise(File.ReadAllText(golden.ValgrindReportPath), "PROGRAM");
        var actual = ReportNormaliser.Normalise(run.Stderr, program);
        Assert.That(string.Join('\n', actual), Is.EqualTo(string.Join('\n', expected)), run.ToString());
    }
}
