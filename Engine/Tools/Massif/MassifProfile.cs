using System.Diagnostics;

namespace Memcheck.Engine.Tools.Massif;

/// <summary>
/// What massif measures while the guest runs: the useful heap bytes, the extra bytes the allocator spends on them
/// (admin bytes and rounding), the stack bytes, the heap tree and the time; and the snapshots of them. Callers
/// change the sizes, then ask for a snapshot (<see cref="Changed"/>); before a deallocation they let a peak be taken
/// (<see cref="Deallocating"/>).
/// </summary>
internal sealed class MassifProfile
{
    private readonly MassifOptions _options;
    private readonly Func<ulong> _instructions;
    private readonly Stopwatch _wallClock = Stopwatch.StartNew();
    /// <summary>Bytes allocated and deallocated so far, heap and stack: the time with --time-unit=B.</summary>
    private ulong _bytesMoved;
    private ulong _heap, _extra, _stacks;

    /// <param name="instructions">Guest instructions executed so far: the time with --time-unit=i.</param>
    public MassifProfile(MassifOptions options, Func<ulong> instructions)
    {
        _options = options;
        _instructions = instructions;
        Tree = new HeapTree(options.PagesAsHeap);
        Series = new SnapshotSeries(options, Measure);
    }

    public HeapTree Tree { get; }
    public SnapshotSeries Series { get; }

    private ulong Now => _options.TimeUnit switch
    {
        MassifTimeUnit.Instructions => _instructions(),
        MassifTimeUnit.Milliseconds => (ulong)_wallClock.ElapsedMilliseconds,
        _ => _bytesMoved,
    };

    private ulong Total => _heap + _extra + _stacks;

    /// <summary>A block of <paramref name="bytes"/> (and <paramref name="extra"/> allocator bytes) came to life at <paramref name="site"/>.</summary>
    public void Add(HeapTreeNode site, ulong bytes, ulong extra)
    {
        Tree.Add(site, bytes);
        _heap += bytes;
        _extra += extra;
        _bytesMoved += bytes + extra;
    }

    public void Remove(HeapTreeNode site, ulong bytes, ulong extra)
    {
        Tree.Remove(site, bytes);
        _heap -= bytes;
        _extra -= extra;
        _bytesMoved += bytes + extra;
    }

    /// <summary>A block resized (realloc): its bytes move to the new site; the time counts only the change in total size.</summary>
    public void Move(HeapTreeNode from, ulong oldBytes, ulong oldExtra, HeapTreeNode to, ulong newBytes, ulong newExtra)
    {
        ulong before = Total;
        Tree.Remove(from, oldBytes);
        Tree.Add(to, newBytes);
        _heap = _heap - oldBytes + newBytes;
        _extra = _extra - oldExtra + newExtra;
        _bytesMoved += Total > before ? Total - before : before - Total;
    }

    public void StackGrew(ulong bytes)
    {
        _stacks += bytes;
        _bytesMoved += bytes;
    }

    /// <summary>The stack shrank; it never goes below the size it had at start-up, which massif counts as zero.</summary>
    public void StackShrank(ulong bytes)
    {
        bytes = Math.Min(bytes, _stacks);
        _stacks -= bytes;
        _bytesMoved += bytes;
    }

    /// <summary>The startup snapshot, or a snapshot after a change if it is time for one.</summary>
    public void Changed() => Series.Normal(Now);

    /// <summary>Something is about to be deallocated: the current sizes may be a new peak.</summary>
    public void Deallocating() => Series.Peak(Now, Total);

    private TakenSnapshot Measure(ulong time, SnapshotKind kind) =>
        new(time, _heap, _extra, _stacks, kind, kind == SnapshotKind.Normal || !Series.RecordsTrees ? null : Tree.Snapshot(Total, _options.Threshold));
}
