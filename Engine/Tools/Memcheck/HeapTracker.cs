using Memcheck.Engine.Tools.Heap;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// The client heap as memcheck keeps it: live blocks with redzones marked noaccess in the shadow, freed blocks held
/// back in a queue so late accesses are still caught, and the HEAP SUMMARY counters. Reporting (invalid or
/// mismatched frees, fishy sizes) is the caller's: this type only keeps the books. With <paramref name="origins"/>, a
/// block's undefined bytes were created by its allocation stack.
/// </summary>
public sealed unsafe class HeapTracker(IHeapMemory memory, ShadowMemory shadow, HeapOptions options, OriginSources? origins = null)
{
    private readonly Dictionary<ulong, HeapBlock> _live = [];
    private readonly FreedBlockQueue _freed = new(options.FreelistVolume, options.FreelistBigBlocks);

    public HeapOptions Options { get; } = options;

    public ulong TotalAllocs { get; private set; }
    public ulong TotalFrees { get; private set; }
    public ulong TotalBytesAllocated { get; private set; }
    public ulong InUseBytes { get; private set; }
    public ulong InUseBlocks => (ulong)_live.Count;

    public IEnumerable<HeapBlock> LiveBlocks => _live.Values;

    /// <summary>Freed blocks still held back, oldest first within each of Valgrind's two queues (big blocks first).</summary>
    public IEnumerable<HeapBlock> FreedBlocks => _freed.Blocks;

    public ulong FreedVolume => _freed.Volume;

    /// <summary>The live block starting at <paramref name="address"/>: what free/delete/realloc accept.</summary>
    public HeapBlock? FindLive(ulong address) => _live.GetValueOrDefault(address);

    /// <summary>malloc/new/new[]/memalign/calloc: payload undefined (defined and zero when <paramref name="zeroed"/>); null when out of memory.</summary>
    public HeapBlock? Allocate(ulong size, ulong alignment, AllocKind kind, int allocStack, bool zeroed = false)
    {
        HeapBlock? block = Place(size, alignment, kind, allocStack);
        if (block is null)
            return null;
        // Like Valgrind, only a successful allocation counts.
        TotalAllocs++;
        TotalBytesAllocated += size;
        if (zeroed)
        {
            Clear(block.Address, size);
            shadow.MakeDefined(block.Address, size);
        }
        else
            shadow.MakeUndefined(block.Address, size, origins?.Heap(allocStack) ?? OriginTags.None);
        return block;
    }

    /// <summary>
    /// VALGRIND_MALLOCLIKE_BLOCK: a block the client's own allocator placed at <paramref name="address"/>, counted and
    /// checked as a malloc'd one; its payload is undefined (defined when <paramref name="zeroed"/>), its memory never the arena's.
    /// </summary>
    public HeapBlock Register(ulong address, ulong size, ulong redzone, bool zeroed, int allocStack)
    {
        var block = new HeapBlock(address, size, 1, AllocKind.Custom, allocStack, address - redzone, size + 2 * redzone);
        if (_live.Remove(address, out HeapBlock? replaced)) InUseBytes -= replaced.Size;
        _live.Add(address, block);
        TotalAllocs++;
        TotalBytesAllocated += size;
        InUseBytes += size;
        if (zeroed) shadow.MakeDefined(address, size);
        else shadow.MakeUndefined(address, size, origins?.Heap(allocStack) ?? OriginTags.None);
        return block;
    }

    /// <summary>
    /// VALGRIND_RESIZEINPLACE_BLOCK: the live block keeps its place and alloc stack; a grown tail is undefined, created
    /// by a heap allocation at the request's <paramref name="stack"/> (as memcheck tags it), a cut one noaccess.
    /// </summary>
    public void Resize(HeapBlock block, ulong newSize, int stack)
    {
        _live[block.Address] = new HeapBlock(block.Address, newSize, block.Alignment, block.Kind, block.AllocStack, block.RegionStart, block.RegionSize);
        InUseBytes = InUseBytes - block.Size + newSize;
        if (newSize > block.Size) shadow.MakeUndefined(block.End, newSize - block.Size, origins?.Heap(stack) ?? OriginTags.None);
        else shadow.MakeNoAccess(block.Address + newSize, block.Size - newSize);
    }

    /// <summary>free/delete/delete[] of a live block: payload noaccess, block into the freed queue.</summary>
    public void Free(HeapBlock block, int freeStack)
    {
        TotalFrees++;
        Retire(block, freeStack);
    }

    /// <summary>A free/delete of something not a live block: Valgrind counts the free before finding that out.</summary>
    public void CountRejectedFree() => TotalFrees++;

    /// <summary>A realloc of something not a live block: counted as Valgrind counts it, before looking.</summary>
    public void CountRejectedRealloc(ulong newSize)
    {
        TotalAllocs++;
        TotalFrees++;
        TotalBytesAllocated += newSize;
    }

    /// <summary>
    /// realloc to a non-zero size: like Valgrind, always a new block (even when shrinking) so stale pointers to the
    /// old one are caught; contents and their V bits are copied (not their origins, as memcheck does not copy them), a
    /// grown tail is undefined, created by the realloc. Counted as one alloc
    /// and one free, as Valgrind counts it before trying. Null (old block untouched) when out of memory.
    /// </summary>
    public HeapBlock? Reallocate(HeapBlock old, ulong newSize, int stack)
    {
        TotalAllocs++;
        TotalFrees++;
        TotalBytesAllocated += newSize;
        HeapBlock? block = Place(newSize, Options.DefaultAlignment, old.Kind, stack);
        if (block is null)
            return null;
        ulong kept = Math.Min(old.Size, newSize);
        Buffer.MemoryCopy((void*)old.Address, (void*)block.Address, kept, kept);
        shadow.CopyRange(old.Address, block.Address, kept);
        shadow.MakeUndefined(block.Address + kept, newSize - kept, origins?.Heap(stack) ?? OriginTags.None);
        Retire(old, stack);
        return block;
    }

    /// <summary>
    /// The heap block an address falls in or near (within a redzone), for an error's address line: live blocks
    /// first (flagged "recently re-allocated" when a freed block also brackets it), then freed ones.
    /// </summary>
    public HeapAddressDescription? Describe(ulong address)
    {
        ulong redzone = Options.RedzoneSize;
        HeapBlock? freed = _freed.Blocks.FirstOrDefault(b => b.Brackets(address, redzone));
        HeapBlock? live = _live.Values.FirstOrDefault(b => b.Brackets(address, redzone));
        if (live is not null)
            return new HeapAddressDescription(address, live, freed is not null);
        return freed is null ? null : new HeapAddressDescription(address, freed, false);
    }

    private HeapBlock? Place(ulong size, ulong alignment, AllocKind kind, int allocStack)
    {
        // Sizes no guest address space could hold would overflow the region arithmetic below.
        if (size >= ShadowMemory.AddressLimit || alignment >= ShadowMemory.AddressLimit)
            return null;
        alignment = Math.Max(alignment, Options.DefaultAlignment);
        ulong redzone = Options.RedzoneSize;
        ulong slack = alignment > 16 ? alignment - 16 : 0;
        ulong regionSize = redzone + slack + AlignUp(Math.Max(size, 1), 16) + redzone;
        ulong? region = memory.Reserve(regionSize);
        if (region is null)
            return null;
        ulong address = AlignUp(region.Value + redzone, alignment);
        var block = new HeapBlock(address, size, alignment, kind, allocStack, region.Value, regionSize);
        shadow.MakeNoAccess(region.Value, regionSize);
        _live.Add(address, block);
        InUseBytes += size;
        return block;
    }

    private void Retire(HeapBlock block, int freeStack)
    {
        if (!_live.Remove(block.Address))
            throw new InvalidOperationException($"block 0x{block.Address:x} is not live");
        InUseBytes -= block.Size;
        block.MarkFreed(freeStack);
        shadow.MakeNoAccess(block.Address, block.Size);
        foreach (HeapBlock evicted in _freed.Add(block).Where(b => b.Kind != AllocKind.Custom))
            memory.Release(evicted.RegionStart, evicted.RegionSize);
    }

    private static void Clear(ulong address, ulong size) => new Span<byte>((void*)address, checked((int)size)).Clear();

    private static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}
