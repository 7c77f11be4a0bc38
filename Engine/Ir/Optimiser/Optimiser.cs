namespace Memcheck.Engine.Ir;

/// <summary>
/// Runs the IR passes in order. Every pass preserves the block's observable behaviour exactly: guest
/// state at every exit and at the end, memory, and the order of loads, stores and dirty calls
/// (a load may fault, so none is dropped or moved).
/// </summary>
public sealed class Optimiser
{
    /// <summary>
    /// Guest-specific rewriting (the lifter's flag-thunk specialisation), run once constants and
    /// copies are propagated, then cleaned up by another folding and dead-code round.
    /// </summary>
    /// <remarks>It gives null when it changed nothing, which spares that round.</remarks>
    public Func<Superblock, Superblock?>? GuestSpecialisation { get; init; }

    /// <summary>
    /// Whether a small block that loops to itself is unrolled (<see cref="LoopUnroller"/>) once optimised, and the
    /// copies optimised together. VEX does it before instrumentation; the result is a new block, the input's arrays
    /// are then the caller's to release.
    /// </summary>
    public bool UnrollLoops { get; init; }

    public Superblock Run(Superblock sb)
    {
        sb = Simplify(sb);
        if (UnrollLoops && LoopUnroller.Unroll(sb) is { } unrolled)
        {
            Propagate(unrolled);
            Clean(unrolled);
            return unrolled;
        }
        return sb;
    }

    private Superblock Simplify(Superblock sb)
    {
        Propagate(sb);
        if (GuestSpecialisation?.Invoke(sb) is { } specialised)
        {
            sb = specialised;
            ConstantFolder.Run(sb);
            DeadCodeElimination.Run(sb);
        }
        Clean(sb);
        return sb;
    }

    /// <summary>Constants and copies, then guest state already in temps, then what that makes constant.</summary>
    private static void Propagate(Superblock sb)
    {
        ConstantFolder.Run(sb);
        RedundantGetElimination.Run(sb);
        ConstantFolder.Run(sb);
    }

    private static void Clean(Superblock sb)
    {
        RedundantPutElimination.Run(sb);
        DeadCodeElimination.Run(sb);
        CompareSinking.Run(sb);
    }
}
