using Memcheck.Engine.Tools.Massif;

namespace Memcheck.Engine.Tests.MassifTool;

/// <summary>When massif takes, keeps and culls snapshots: the rules measured against Valgrind 3.19 (see SnapshotSeries).</summary>
public class SnapshotSeriesTests
{
    private ulong _total;

    private SnapshotSeries Series(int maxSnapshots = 10, int detailedFreq = 10, double peakInaccuracy = 1.0, bool heap = true) =>
        new(new MassifOptions { MaxSnapshots = maxSnapshots, DetailedFreq = detailedFreq, PeakInaccuracy = peakInaccuracy, Heap = heap },
            (time, kind) => new TakenSnapshot(time, _total, 0, 0, kind, null));

    /// <summary>A snapshot chance after each of <paramref name="count"/> allocations one time unit apart, from time 0.</summary>
    private void Allocate(SnapshotSeries series, int count)
    {
        for (int i = 0; i <= count; i++)
        {
            _total = (ulong)i;
            series.Normal((ulong)i);
        }
    }

    private static ulong[] Times(SnapshotSeries series) => [.. series.Snapshots.Select(s => s.Time)];

    [Test]
    public void EveryChangeIsASnapshotUntilTheSeriesIsFull()
    {
        var series = Series();
        Allocate(series, 8);
        Assert.That(Times(series), Is.EqualTo(new ulong[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 }));
    }

    [Test]
    public void AFullSeriesLosesHalfItsSnapshotsWhereTheyAreClosest()
    {
        var series = Series();
        Allocate(series, 9);
        Assert.That(Times(series), Is.EqualTo(new ulong[] { 0, 2, 4, 6, 9 }));
    }

    [Test]
    public void AfterACullTheShortestGapLeftSpacesNewSnapshots()
    {
        var series = Series();
        Allocate(series, 18);
        Assert.That(Times(series), Is.EqualTo(new ulong[] { 0, 2, 4, 6, 9, 11, 13, 15, 17 }));
        Allocate(series, 100);
        Assert.That(Times(series), Is.EqualTo(new ulong[] { 0, 27, 39, 55, 79, 91 }), "as Valgrind's after 100 mallocs");
    }

    [Test]
    public void EveryTenthSnapshotIsDetailed()
    {
        var series = Series(maxSnapshots: 100);
        Allocate(series, 25);
        Assert.That(series.Snapshots.Select((s, i) => (i, s.Kind)).Where(s => s.Kind != SnapshotKind.Normal).Select(s => s.i),
            Is.EqualTo(new[] { 9, 19 }));
    }

    [Test]
    public void WithoutAHeapToProfileNoSnapshotIsDetailedButPeaksAreTaken()
    {
        var series = Series(maxSnapshots: 100, heap: false);
        Allocate(series, 25);
        Peak(series, 26, 100);
        Assert.That(series.RecordsTrees, Is.False);
        Assert.That(series.Snapshots.Count(s => s.Kind == SnapshotKind.Detailed), Is.Zero);
        Assert.That(series.Snapshots[^1].Kind, Is.EqualTo(SnapshotKind.Peak));
    }

    [Test]
    public void APeakComesBeforeADeallocationThatExceedsTheLastPeakByMoreThanTheInaccuracy()
    {
        var series = Series(maxSnapshots: 100);
        _total = 1616;
        series.Peak(10, _total);
        _total = 1632;
        series.Peak(20, _total);
        Assert.That(series.Snapshots.Select(s => s.Time), Is.EqualTo(new ulong[] { 10 }), "1632 is within 1% of 1616 (16 bytes, rounded down)");
        _total = 1648;
        series.Peak(30, _total);
        Assert.That(series.Snapshots.Select(s => (s.Time, s.Kind)),
            Is.EqualTo(new[] { (10UL, SnapshotKind.Detailed), (30UL, SnapshotKind.Peak) }), "the former peak stays, detailed");
    }

    [Test]
    public void APeakRestartsTheCountToTheNextDetailedSnapshot()
    {
        var series = Series(maxSnapshots: 100, detailedFreq: 3);
        Allocate(series, 1);
        series.Peak(1, 5);
        series.Normal(2);
        series.Normal(3);
        series.Normal(4);
        Assert.That(series.Snapshots.Select(s => s.Kind), Is.EqualTo(new[]
        {
            SnapshotKind.Normal, SnapshotKind.Normal, SnapshotKind.Peak, SnapshotKind.Normal, SnapshotKind.Normal, SnapshotKind.Detailed,
        }));
    }

    [Test]
    public void CullingKeepsThePeakAndIgnoresItsGapsToTheEnds()
    {
        // A series Valgrind culled (times in bytes): the peak stays, and the 480 from it to the last snapshot, which
        // culling could not have widened, does not count; the shortest gap left is 720.
        var series = Series(maxSnapshots: 11, peakInaccuracy: 0);
        series.Normal(0);
        Peak(series, 240, 1);
        foreach (ulong t in new ulong[] { 720, 1200, 1680, 2160, 2640 }) series.Normal(t);
        Peak(series, 2640, 2);
        series.Normal(3120);
        Peak(series, 3360, 3);
        series.Normal(3840);
        Assert.That(Times(series), Is.EqualTo(new ulong[] { 0, 720, 1680, 2640, 3360, 3840 }));
        Assert.That(series.Snapshots[4].Kind, Is.EqualTo(SnapshotKind.Peak));
        series.Normal(3840 + 480);
        Assert.That(Times(series), Has.Length.EqualTo(6));
        series.Normal(3840 + 720);
        Assert.That(Times(series)[^1], Is.EqualTo(3840 + 720));
    }

    private void Peak(SnapshotSeries series, ulong time, ulong total)
    {
        _total = total;
        series.Peak(time, total);
    }
}
