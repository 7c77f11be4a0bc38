using Memcheck.Engine.Tests.Golden;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.MassifTool;

/// <summary>
/// memcheck --tool=massif on each case of Golden/Massif/cases.txt against Valgrind 3.19's recorded run: the same
/// commentary, and the output file compared as the case says (whole, or its peak); the real ms_print renders our file
/// as it rendered Valgrind's.
/// </summary>
[Category("Slow"), Parallelizable(ParallelScope.Children)]
public class MassifGoldenTests
{
    private static IEnumerable<MassifGoldenCase> Cases() => MassifGoldenCase.All();

    [TestCaseSource(nameof(Cases))]
    public void ProfileMatchesValgrind(MassifGoldenCase golden)
    {
        var run = MassifGoldenRunner.Run(golden);
        Assert.That(run.Result.ExitCode, Is.EqualTo(golden.ExitStatus), run.Result.ToString());
        Assert.That(Commentary(run.Normalise(run.Result.Stderr)), Is.EqualTo(Commentary(Golden(golden.CommentaryPath))));

        var expected = Golden(golden.MassifPath);
        var actual = run.Normalise(File.ReadAllText(run.OutputPath));
        switch (golden.Comparison)
        {
            case MassifComparison.Exact:
                Assert.That(actual, Is.EqualTo(expected), () => ReportDiff.Describe(expected, actual));
                break;
            case MassifComparison.Peak:
                Assert.That(actual.Take(3), Is.EqualTo(expected.Take(3)), "desc, cmd and time_unit");
                AssertSamePeak(expected, actual);
                break;
            case MassifComparison.Stacks:
                AssertSamePeak(WithoutStacks(expected), WithoutStacks(actual));
                Assert.That((double)MassifFileNormaliser.PeakValue(actual, "mem_stacks_B")!,
                    Is.EqualTo((double)MassifFileNormaliser.PeakValue(expected, "mem_stacks_B")!).Within(1).Percent);
                break;
            case MassifComparison.Pages:
                Assert.That((double)MassifFileNormaliser.PeakValue(actual, "mem_heap_B")!,
                    Is.EqualTo((double)MassifFileNormaliser.PeakValue(expected, "mem_heap_B")!).Within(5).Percent);
                string source = Path.GetFileName(golden.Source);
                Assert.That(FixtureEntries(MassifFileNormaliser.PeakSnapshot(actual), source),
                    Is.EquivalentTo(FixtureEntries(MassifFileNormaliser.PeakSnapshot(expected), source)).And.Not.Empty);
                break;
            case MassifComparison.Program:
                Assert.That(PeakTotal(actual), Is.EqualTo(PeakTotal(expected)).Within(1).Percent);
                Assert.That(MassifFileNormaliser.BiggestPeakPath(actual), Is.EqualTo(MassifFileNormaliser.BiggestPeakPath(expected)).And.Count.GreaterThan(2));
                break;
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void MsPrintRendersTheProfileAsValgrinds(MassifGoldenCase golden)
    {
        if (MsPrint.Path is null) Assert.Ignore("ms_print is not installed");
        var run = MassifGoldenRunner.Run(golden);
        var rendering = MsPrint.Render(run.OutputPath);
        Assert.That(rendering.ExitCode, Is.EqualTo(0), rendering.ToString());
        Assert.That(rendering.Stdout, Does.Contain("Number of snapshots: "));
        if (golden.Comparison != MassifComparison.Exact) return;
        var expected = Golden(golden.MsPrintPath);
        var actual = run.Normalise(rendering.Stdout);
        Assert.That(actual, Is.EqualTo(expected), () => ReportDiff.Describe(expected, actual));
    }

    private static List<string> Golden(string path) => MassifFileNormaliser.Normalise(File.ReadAllText(path), []);

    /// <summary>The commentary as Valgrind's is compared: pids replaced, the lines naming the engine left out.</summary>
    private static List<string> Commentary(List<string> lines) => ReportNormaliser.Normalise(string.Join('\n', lines), null, memcheck: false);

    private static double PeakTotal(List<string> lines) =>
        (double)(MassifFileNormaliser.PeakValue(lines, "mem_heap_B")! + MassifFileNormaliser.PeakValue(lines, "mem_heap_extra_B")!);

    private static void AssertSamePeak(List<string> expected, List<string> actual)
    {
        var expectedPeak = MassifFileNormaliser.PeakSnapshot(expected);
        var actualPeak = MassifFileNormaliser.PeakSnapshot(actual);
        Assert.That(expectedPeak, Is.Not.Empty, "Valgrind's run has a peak");
        Assert.That(actualPeak, Is.EqualTo(expectedPeak), () => ReportDiff.Describe(expectedPeak, actualPeak));
    }

    private static List<string> WithoutStacks(List<string> lines) => [.. lines.Where(l => !l.StartsWith("mem_stacks_B="))];

    /// <summary>The peak tree's entries at the fixture's own code, without their indentation.</summary>
    private static IEnumerable<string> FixtureEntries(IEnumerable<string> peak, string source) =>
        peak.Where(l => l.Contains($"({source}:")).Select(l => l.Trim());
}
