using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Golden;

/// <summary>
/// memcheck's report for each case in cases.txt equals Valgrind 3.19's recorded one (record.sh),
/// line for line after normalisation. Stack frames are compared by the address of the innermost
/// frame only, until the debug-information layer symbolises and unwinds them.
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

        var expected = WithoutOuterFrames(ReportNormaliser.Normalise(File.ReadAllText(golden.ValgrindReportPath), "PROGRAM"));
        var actual = WithoutOuterFrames(ReportNormaliser.Normalise(run.Stderr, program));
        Assert.That(string.Join('\n', actual), Is.EqualTo(string.Join('\n', expected)), run.ToString());
    }

    private static List<string> WithoutOuterFrames(List<string> lines)
    {
        var kept = new List<string>();
        for (int i = 0; i < lines.Count; i++)
        {
            if (!ReportNormaliser.IsFrame(lines[i])) kept.Add(lines[i]);
            else if (i == 0 || !ReportNormaliser.IsFrame(lines[i - 1])) kept.Add(ReportNormaliser.FrameAddress(lines[i]));
        }
        return kept;
    }
}
