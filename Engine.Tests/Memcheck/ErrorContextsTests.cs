using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.Memcheck;

namespace Memcheck.Engine.Tests.MemcheckTool;

public class ErrorContextsTests
{
    private const string Cond = "Conditional jump or move depends on uninitialised value(s)";
    private List<string> _notices = null!;

    [SetUp]
    public void Create() => _notices = [];

    private static ulong[] Stack(params ulong[] frames) => frames;

    private static readonly Suppression Hiding = new("hiding", "Cond", null, [new FramePattern(FramePatternKind.Function, "*")], "test.supp", 2);

    private ErrorOutcome Record(ErrorContexts errors, string key, ulong[] frames, bool suppressed = false) =>
        errors.Record(key, 0, frames, () => suppressed ? Hiding : null, _notices).Outcome;

    [Test]
    public void SameKindAndStackIsOneContextWithACount()
    {
        var errors = new ErrorContexts(errorLimit: true);
        Assert.That(Record(errors, Cond, Stack(1, 2)), Is.EqualTo(ErrorOutcome.New));
        Assert.That(Record(errors, Cond, Stack(1, 2)), Is.EqualTo(ErrorOutcome.Repeat));
        Assert.That(Record(errors, "Invalid read of size 4", Stack(1, 2)), Is.EqualTo(ErrorOutcome.New));
        Assert.That(Record(errors, Cond, Stack(1, 3)), Is.EqualTo(ErrorOutcome.New));
        Assert.That(errors.SummaryLine, Is.EqualTo("ERROR SUMMARY: 4 errors from 3 contexts (suppressed: 0 from 0)"));
    }

    [Test]
    public void OnlyTheTopFourFramesAreCompared()
    {
        var errors = new ErrorContexts(errorLimit: true);
        Record(errors, Cond, Stack(1, 2, 3, 4, 5));
        Assert.That(Record(errors, Cond, Stack(1, 2, 3, 4, 6)), Is.EqualTo(ErrorOutcome.Repeat));
        Assert.That(Record(errors, Cond, Stack(1, 2, 3, 7, 5)), Is.EqualTo(ErrorOutcome.New));
        Assert.That(Record(errors, Cond, Stack(1, 2, 3)), Is.EqualTo(ErrorOutcome.New), "a shorter stack differs");
    }

    [Test]
    public void AfterOneHundredContextsOnlyTwoFramesAreComparedAndValgrindSaysSo()
    {
        var errors = new ErrorContexts(errorLimit: true);
        for (ulong i = 0; i < 100; i++)
            Record(errors, Cond, Stack(i, 1, 2));
        Assert.That(_notices, Is.Empty);
        Assert.That(Record(errors, Cond, Stack(500, 1, 2)), Is.EqualTo(ErrorOutcome.New));
        Assert.That(_notices, Is.EqualTo(new[] { "", "More than 100 errors detected.  Subsequent errors", "will still be recorded, but in less detail than before." }));
        Assert.That(Record(errors, Cond, Stack(500, 1, 9)), Is.EqualTo(ErrorOutcome.Repeat));
    }

    [Test]
    public void AfterOneThousandContextsNothingMoreIsRecorded()
    {
        // many.c: 1010 distinct uninitialised conditions, then one site five times: valgrind 3.19 stops at 1000.
        var errors = new ErrorContexts(errorLimit: true);
        for (ulong i = 0; i < 1010; i++)
            Record(errors, Cond, Stack(i));
        for (int i = 0; i < 5; i++)
            Assert.That(Record(errors, Cond, Stack(0)), Is.EqualTo(ErrorOutcome.Dropped));
        Assert.That(errors.SummaryLine, Is.EqualTo("ERROR SUMMARY: 1000 errors from 1000 contexts (suppressed: 0 from 0)"));
        Assert.That(_notices.Skip(3), Is.EqualTo(new[]
        {
            "",
            "More than 1000 different errors detected.  I'm not reporting any more.",
            "Final error counts will be inaccurate.  Go fix your program!",
            "Rerun with --error-limit=no to disable this cutoff.  Note",
            "that errors may occur in your program without prior warning from",
            "Valgrind, because errors are no longer being displayed.",
            "",
        }));
    }

    [Test]
    public void WithoutTheErrorLimitEverythingIsRecorded()
    {
        var errors = new ErrorContexts(errorLimit: false);
        for (ulong i = 0; i < 1010; i++)
            Record(errors, Cond, Stack(i));
        Assert.That(errors.ContextCount, Is.EqualTo(1010));
        Assert.That(_notices, Has.Count.EqualTo(3), "only the slow-down notice");
    }

    [Test]
    public void SuppressedErrorsAreCountedApart()
    {
        var errors = new ErrorContexts(errorLimit: true);
        Assert.That(Record(errors, Cond, Stack(1), suppressed: true), Is.EqualTo(ErrorOutcome.Suppressed));
        Assert.That(Record(errors, Cond, Stack(1)), Is.EqualTo(ErrorOutcome.Repeat));
        Record(errors, Cond, Stack(2));
        Assert.That(errors.SummaryLine, Is.EqualTo("ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 2 from 1)"));
    }

    [Test]
    public void LeakRecordsCountAsTheirOwnContexts()
    {
        // ring.c: four definitely/possibly lost records and no other error.
        var errors = new ErrorContexts(errorLimit: true);
        for (int i = 0; i < 4; i++)
            errors.RecordUnique(suppressed: false);
        Assert.That(errors.SummaryLine, Is.EqualTo("ERROR SUMMARY: 4 errors from 4 contexts (suppressed: 0 from 0)"));
    }

    [Test]
    public void ListingByCountPutsRareErrorsFirstAndTiesMostRecentFirst()
    {
        var errors = new ErrorContexts(errorLimit: true);
        Record(errors, "a", Stack(1));
        Record(errors, "a", Stack(1));
        Record(errors, "b", Stack(1));
        Record(errors, "c", Stack(1));
        Assert.That(errors.ByCount().Select(c => (c.Key, c.Count)), Is.EqualTo(new[] { ("c", 1), ("b", 1), ("a", 2) }));
    }

    [Test]
    public void ListingMatchesValgrindOnRepeatedSites()
    {
        // s.c under valgrind -s: sites 3, 4, 4, 5, 6, 7 list as 7, 6, 5, 3 (once each) then 4 (twice).
        var errors = new ErrorContexts(errorLimit: true);
        foreach (ulong line in new ulong[] { 3, 4, 4, 5, 6, 7 })
            Record(errors, Cond, Stack(line));
        Assert.That(errors.ByCount().Select(c => c.Frames[0]), Is.EqualTo(new ulong[] { 7, 6, 5, 3, 4 }));
        Assert.That(errors.SummaryLine, Is.EqualTo("ERROR SUMMARY: 6 errors from 5 contexts (suppressed: 0 from 0)"));
    }
}
