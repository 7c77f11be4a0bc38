namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// One client heap block: the payload the program asked for, inside a region that also holds the redzones.
/// A freed block keeps its alloc stack and gains a free stack while it waits in the freed-block queue.
/// </summary>
public sealed class HeapBlock(ulong address, ulong size, ulong alignment, AllocKind kind, int allocStack, ulong regionStart, ulong regionSize)
{
    public ulong Address { get; } = address;
    /// <summary>Size as requested, which is what Valgrind reports.</summary>
    public ulong Size { get; } = size;
    public ulong Alignment { get; } = alignment;
    public AllocKind Kind { get; } = kind;
    public int AllocStack { get; } = allocStack;
    public int? FreeStack { get; private set; }
    public ulong RegionStart { get; } = regionStart;
    public ulong RegionSize { get; } = regionSize;

    public ulong End => Address + Size;
    public bool IsFreed => FreeStack is not null;

    internal void MarkFreed(int freeStack) => FreeStack = freeStack;

    /// <summary>Whether the address is in the block or within <paramref name="redzone"/> bytes of it (a 0-byte block spans one byte).</summary>
    public bool Brackets(ulong address, ulong redzone) =>
        address + redzone >= Address && address < Address + Math.Max(Size, 1) + redzone;
}
