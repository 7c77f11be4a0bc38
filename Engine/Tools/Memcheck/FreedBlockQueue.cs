namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// Valgrind's queue of freed blocks kept unusable so use-after-free is caught: two FIFO queues, blocks of at least
/// <c>bigBlocks</c> bytes in one and the rest in the other; while the volume (sum of requested sizes) exceeds
/// <c>volume</c>, the oldest big blocks leave first, then the oldest small ones.
/// </summary>
public sealed class FreedBlockQueue(ulong volume, ulong bigBlocks)
{
    private readonly Queue<HeapBlock> _big = new();
    private readonly Queue<HeapBlock> _small = new();

    public ulong Volume { get; private set; }

    public IEnumerable<HeapBlock> Blocks => _big.Concat(_small);

    /// <summary>Queue a freed block; returns the blocks evicted to bring the volume back under the limit, in order.</summary>
    public List<HeapBlock> Add(HeapBlock block)
    {
        (block.Size >= bigBlocks ? _big : _small).Enqueue(block);
        Volume += block.Size;
        var evicted = new List<HeapBlock>();
        foreach (Queue<HeapBlock> queue in new[] { _big, _small })
            while (Volume > volume && queue.Count > 0)
            {
                HeapBlock oldest = queue.Dequeue();
                Volume -= oldest.Size;
                evicted.Add(oldest);
            }
        return evicted;
    }
}
