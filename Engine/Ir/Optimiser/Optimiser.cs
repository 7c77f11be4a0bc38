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

    public Superblock Run(Superblock sb)
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
