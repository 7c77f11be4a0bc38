using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Reporting;

namespace Memcheck.Engine.Tests.MemcheckTool;

/// <summary>Hint lines as valgrind 3.19 prints them for ok.c (one still-reachable block) and ring.c.</summary>
public class LeakReportTests
{
    private static LeakSummary Summary(ulong definite, ulong reachable) =>
        new(new ByteBlockCount(definite * 8, definite), default, default, new ByteBlockCount(reachable * 5, reachable),
            new Dictionary<LeakHeuristic, ByteBlockCount>());

    [Test]
    public void SummaryModeWithLeftoversSuggestsFull() =>
        Assert.That(LeakReport.Hints(LeakCheck.Summary, LeakKinds.Definite | LeakKinds.Possible, Summary(0, 1)),
            Is.EqualTo(new[] { "Rerun with --leak-check=full to see details of leaked memory" }));

    [Test]
    public void FullModeWithHiddenReachableBlocksSaysHowToSeeThem() =>
        Assert.That(LeakReport.Hints(LeakCheck.Full, LeakKinds.Definite | LeakKinds.Possible, Summary(0, 1)), Is.EqualTo(new[]
        {
            "Reachable blocks (those to which a pointer was found) are not shown.",
            "To see them, rerun with: --leak-check=full --show-leak-kinds=all",
        }));

    [Test]
    public void FullModeShowingEverythingOrWithNothingReachableHasNoHint()
    {
        Assert.That(LeakReport.Hints(LeakCheck.Full, LeakKinds.Definite | LeakKinds.Possible, Summary(3, 0)), Is.Empty);
        Assert.That(LeakReport.Hints(LeakCheck.Full, LeakKinds.All, Summary(3, 2)), Is.Empty);
    }

    [Test]
    public void SummaryModeWithNothingLeftHasNoHint() =>
        Assert.That(LeakReport.Hints(LeakCheck.Summary, LeakKinds.Definite, Summary(0, 0)), Is.Empty);

    [Test]
    public void KindsMapOntoTheOptionFlags() =>
        Assert.That(Enum.GetValues<LeakState>().Select(LeakReport.KindOf),
            Is.EqualTo(new[] { LeakKinds.Reachable, LeakKinds.Possible, LeakKinds.Indirect, LeakKinds.Definite }));
}
