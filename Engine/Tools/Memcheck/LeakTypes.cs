namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// A block's fate after the leak check. The order is Valgrind's, which equal-sized loss records are sorted by
/// (ring-free cl.c under valgrind 3.19: a 64-byte indirect record precedes a 64-byte definite one).
/// </summary>
public enum LeakState
{
    StillReachable,
    PossiblyLost,
    IndirectlyLost,
    DefinitelyLost,
}

/// <summary>Valgrind's interior-pointer heuristics, in the order it tries them; the names are its option values.</summary>
public enum LeakHeuristic
{
    None,
    StdString,
    Length64,
    NewArray,
    MultipleInheritance,
}

/// <summary>A memory range scanned for pointers to heap blocks: guest-owned, non-heap memory.</summary>
public readonly record struct RootRange(ulong Start, ulong Length);

/// <summary>A file mapping, as far as the multipleinheritance heuristic needs to know it (where vtables live).</summary>
public readonly record struct FileMapping(ulong Start, ulong End, bool Readable, bool Executable);

/// <summary>What the leak checker may read of guest memory.</summary>
public interface ILeakMemory
{
    /// <summary>The aligned word at <paramref name="address"/>, false unless all 8 bytes are addressable and defined.</summary>
    bool TryReadWord(ulong address, out ulong value);

    /// <summary>The file mapping holding <paramref name="address"/>, if any.</summary>
    FileMapping? FindFileMapping(ulong address);
}

public sealed record LeakCheckOptions
{
    public LeakHeuristics Heuristics { get; init; } = LeakHeuristics.All;
    /// <summary>How many allocation frames must agree for blocks to share a loss record.</summary>
    public LeakResolution Resolution { get; init; } = LeakResolution.High;

    public static LeakCheckOptions From(MemcheckOptions options) =>
        new() { Heuristics = options.LeakCheckHeuristics, Resolution = options.LeakResolution };
}

/// <summary>One block's verdict; <see cref="IndirectSize"/> is what a definitely lost block holds onto.</summary>
public sealed record BlockVerdict(HeapBlock Block, LeakState State, LeakHeuristic Heuristic, ulong IndirectSize);

/// <summary>Blocks of one state allocated from the same stack (at the chosen resolution), reported together.</summary>
public sealed record LossRecord(LeakState State, int AllocStack, ulong DirectBytes, ulong IndirectBytes, ulong Blocks)
{
    public ulong TotalBytes => DirectBytes + IndirectBytes;
}

public readonly record struct ByteBlockCount(ulong Bytes, ulong Blocks)
{
    public ByteBlockCount Add(ulong bytes) => new(Bytes + bytes, Blocks + 1);

    public ByteBlockCount Less(ByteBlockCount other) => new(Bytes - other.Bytes, Blocks - other.Blocks);
}

/// <summary>The LEAK SUMMARY numbers.</summary>
public sealed record LeakSummary(
    ByteBlockCount DefinitelyLost,
    ByteBlockCount IndirectlyLost,
    ByteBlockCount PossiblyLost,
    ByteBlockCount StillReachable,
    IReadOnlyDictionary<LeakHeuristic, ByteBlockCount> ReachableViaHeuristic)
{
    /// <summary>What suppressions hid: the blocks of suppressed loss records, taken out of their own line.</summary>
    public ByteBlockCount Suppressed { get; init; }

    /// <summary>The summary once a loss record is suppressed: its blocks move from its state's line to suppressed.</summary>
    public LeakSummary Suppress(LossRecord record)
    {
        var moved = new ByteBlockCount(record.DirectBytes, record.Blocks);
        LeakSummary less = record.State switch
        {
            LeakState.DefinitelyLost => this with { DefinitelyLost = DefinitelyLost.Less(moved) },
            LeakState.IndirectlyLost => this with { IndirectlyLost = IndirectlyLost.Less(moved) },
            LeakState.PossiblyLost => this with { PossiblyLost = PossiblyLost.Less(moved) },
            _ => this with { StillReachable = StillReachable.Less(moved) },
        };
        return less with { Suppressed = new ByteBlockCount(Suppressed.Bytes + moved.Bytes, Suppressed.Blocks + moved.Blocks) };
    }
}

public sealed record LeakCheckResult(IReadOnlyList<BlockVerdict> Blocks, IReadOnlyList<LossRecord> LossRecords, LeakSummary Summary);
