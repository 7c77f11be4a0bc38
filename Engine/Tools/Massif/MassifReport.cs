using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Tools.Massif;

/// <summary>
/// What massif measured, as its output file records it: the command and the tool's options, the time unit, and the
/// snapshots in time order (the ones left after culling), numbered as ms_print numbers them.
/// </summary>
/// <param name="OutputFile">Where the profile was written; null when the file could not be opened.</param>
public sealed record MassifReport(string Command, IReadOnlyList<string> Arguments, MassifTimeUnit TimeUnit,
    IReadOnlyList<MassifSnapshot> Snapshots, string? OutputFile)
{
    /// <summary>The peak snapshot, when a deallocation ever came down from one.</summary>
    public MassifSnapshot? Peak => Snapshots.SingleOrDefault(s => s.Kind == SnapshotKind.Peak);
}

/// <summary>How much a snapshot records: the sizes only, or also the heap tree; the peak is the one detailed maximum.</summary>
public enum SnapshotKind { Normal, Detailed, Peak }

/// <summary>
/// One measurement: at <see cref="Time"/> (in the run's time unit) the useful heap bytes, the allocator's extra bytes
/// (admin bytes and rounding), the stack bytes, and for detailed and peak snapshots the heap tree.
/// </summary>
public sealed record MassifSnapshot(int Number, ulong Time, ulong HeapBytes, ulong HeapExtraBytes, ulong StackBytes,
    SnapshotKind Kind, HeapTreeEntry? Tree)
{
    public ulong TotalBytes => HeapBytes + HeapExtraBytes + StackBytes;
}

/// <summary>
/// An entry of a detailed snapshot's heap tree: the bytes live below it and its significant children, biggest first.
/// </summary>
public abstract record HeapTreeEntry(ulong Bytes, IReadOnlyList<HeapTreeEntry> Children);

/// <summary>
/// The root: every heap block, allocated through the allocation functions (or with --pages-as-heap=yes, every page
/// mapped by the page allocation syscalls).
/// </summary>
public sealed record AllocationFunctionsEntry(ulong Bytes, bool Pages, IReadOnlyList<HeapTreeEntry> Children)
    : HeapTreeEntry(Bytes, Children);

/// <summary>
/// A code location the allocations came through: one address, described as one frame or, inside inlined code, a frame
/// per inlined call (innermost first), as Valgrind describes an address.
/// </summary>
public sealed record CodeLocationEntry(ulong Bytes, ulong Address, IReadOnlyList<StackFrame> Frames, IReadOnlyList<HeapTreeEntry> Children)
    : HeapTreeEntry(Bytes, Children);

/// <summary>The children of an entry too small for --threshold, together: how many and their bytes.</summary>
public sealed record BelowThresholdEntry(ulong Bytes, int Places) : HeapTreeEntry(Bytes, []);
