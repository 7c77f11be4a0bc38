using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Golden;

/// <summary>
/// memcheck's report for each case in cases.txt equals Valgrind 3.19's recorded one (record.sh),
/// line for line after normalisation. The innermost frame is compared whole (address, function,
/// file:line or object); the callers' frames are left out because DispatcherServices.Stack receives
/// only the PC, not the guest state the unwinder needs.
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

        var expected = InnermostFrameOnly(ReportNormaliser.Normalise(File.ReadAllText(golden.ValgrindReportPath), "PROGRAM"));
        var actual = InnermostFrameOnly(ReportNormaliser.Normalise(run.Stderr, program));
        Assert.That(string.Join('\n', actual), Is.EqualTo(string.Join('\n', expected)), run.ToString());
    }

    private static List<string> InnermostFrameOnly(List<string> lines) =>
        [.. lines.Where((line, i) => !ReportNormaliser.IsFrame(line) || i == 0 || !ReportNormaliser.IsFrame(lines[i - 1]))];
}
