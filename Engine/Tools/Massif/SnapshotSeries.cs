namespace Memcheck.Engine.Tools.Massif;

/// <summary>A snapshot as the run keeps it: a peak becomes a detailed snapshot when a later peak replaces it.</summary>
internal sealed class TakenSnapshot(ulong time, ulong heapBytes, ulong heapExtraBytes, ulong stackBytes, SnapshotKind kind,
    AllocationFunctionsEntry? tree)
{
    public ulong Time { get; } = time;
    public ulong HeapBytes { get; } = heapBytes;
    public ulong HeapExtraBytes { get; } = heapExtraBytes;
    public ulong StackBytes { get; } = stackBytes;
    public SnapshotKind Kind { get; set; } = kind;
    public AllocationFunctionsEntry? Tree { get; } = tree;

    public ulong TotalBytes => HeapBytes + HeapExtraBytes + StackBytes;

    public MassifSnapshot ToSnapshot(int number) => new(number, Time, HeapBytes, HeapExtraBytes, StackBytes, Kind, Tree);
}

/// <summary>
/// The snapshots massif keeps and when it takes them, as measured against Valgrind 3.19's massif. A normal snapshot
/// follows an allocation or deallocation once the interval since the last snapshot has passed (at first, every time);
/// every --detailed-freq'th since the last detailed or peak one is detailed. A peak snapshot comes just before a
/// deallocation whose total exceeds the last peak's by more than --peak-inaccuracy percent; the former peak stays as a
/// detailed snapshot. When --max-snapshots are held, half of them go: each time the one whose neighbours are closest in
/// time, never the first, the last or the peak; the new interval is the shortest gap left, leaving out the gaps between
/// two of those three, which culling cannot widen. Without a heap to profile (--heap=no) no snapshot is detailed and a
/// peak records no tree.
/// </summary>
/// <param name="measure">The current sizes as a snapshot of the given kind at the given time (with the tree unless normal).</param>
internal sealed class SnapshotSeries(MassifOptions options, Func<ulong, SnapshotKind, TakenSnapshot> measure)
{
    private readonly List<TakenSnapshot> _snapshots = [];
    private ulong _interval, _earliest;
    private int _normalSinceDetailed;
    private ulong _peakTotal;

    public IReadOnlyList<TakenSnapshot> Snapshots => _snapshots;

    /// <summary>Whether there is a tree to record: of the heap's blocks, or with --pages-as-heap=yes of its pages.</summary>
    public bool RecordsTrees { get; } = options.Heap || options.PagesAsHeap;

    /// <summary>After an allocation or deallocation: a snapshot if it is time for one.</summary>
    public void Normal(ulong time)
    {
        if (time < _earliest) return;
        Take(time, RecordsTrees && _normalSinceDetailed == options.DetailedFreq - 1 ? SnapshotKind.Detailed : SnapshotKind.Normal);
    }

    /// <summary>Before a deallocation, with the total it is about to come down from: a peak snapshot if it is a new peak.</summary>
    public void Peak(ulong time, ulong total)
    {
        ulong excess = (ulong)(_peakTotal * options.PeakInaccuracy / 100);
        if (total <= _peakTotal + excess) return;
        foreach (TakenSnapshot former in _snapshots.Where(s => s.Kind == SnapshotKind.Peak)) former.Kind = SnapshotKind.Detailed;
        _peakTotal = total;
        Take(time, SnapshotKind.Peak);
    }

    private void Take(ulong time, SnapshotKind kind)
    {
        _snapshots.Add(measure(time, kind));
        _normalSinceDetailed = kind == SnapshotKind.Normal ? _normalSinceDetailed + 1 : 0;
        if (_snapshots.Count == options.MaxSnapshots) _interval = Cull();
        _earliest = time + _interval;
    }

    /// <summary>Removes half the snapshots and returns the interval to keep between new ones.</summary>
    private ulong Cull()
    {
        for (int n = options.MaxSnapshots / 2; n > 0; n--) _snapshots.RemoveAt(ClosestNeighbours());
        return Enumerable.Range(1, _snapshots.Count - 1)
            .Where(i => !(Kept(i - 1) && Kept(i)))
            .Min(i => _snapshots[i].Time - _snapshots[i - 1].Time);
    }

    /// <summary>The first snapshot whose neighbours are closest in time, among those culling may remove.</summary>
    private int ClosestNeighbours()
    {
        int closest = -1;
        ulong span = ulong.MaxValue;
        for (int i = 1; i < _snapshots.Count - 1; i++)
        {
            if (Kept(i)) continue;
            ulong between = _snapshots[i + 1].Time - _snapshots[i - 1].Time;
            if (between < span) (closest, span) = (i, between);
        }
        return closest;
    }

    private bool Kept(int i) => i == 0 || i == _snapshots.Count - 1 || _snapshots[i].Kind == SnapshotKind.Peak;
}
