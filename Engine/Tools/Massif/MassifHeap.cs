using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Tools.Heap;

namespace Memcheck.Engine.Tools.Massif;

/// <summary>
/// The malloc family as Valgrind's massif runs it: blocks without redzones, each usable up to its size rounded up to
/// --alignment; that rounding plus --heap-admin bytes a block is the extra heap. realloc stays in place while the new
/// size fits the usable size, else moves the block; a realloc that shrinks a block is a deallocation, so it may take
/// a peak. Each block is filed in the profile at its allocation site, unless the site is ignored or --heap=no.
/// </summary>
internal sealed unsafe class MassifHeap(ToolHost host, HeapArena arena, MassifProfile profile, AllocationSites? sites,
    ulong alignment, ulong heapAdmin) : IReplacedHeap
{
    private const ulong MinimumAlignment = 16;
    private const ulong PageSize = 4096;
    private const ulong Einval = 22, Enomem = 12;

    /// <summary>A live block: its payload, how much of it the guest may use, where it was filed (null: not profiled).</summary>
    private sealed record Block(ulong Address, ulong Size, ulong Usable, HeapTreeNode? Site, ulong Region, ulong RegionSize);

    private readonly Dictionary<ulong, Block> _blocks = [];

    public ulong Malloc(GuestState* state, ulong size) => Allocate(state, size, MinimumAlignment, zeroed: false);

    public ulong New(GuestState* state, ulong size) => Malloc(state, size);

    public ulong NewArray(GuestState* state, ulong size) => Malloc(state, size);

    public ulong NewAligned(GuestState* state, ulong size, ulong alignment) => Memalign(state, alignment, size);

    public ulong NewArrayAligned(GuestState* state, ulong size, ulong alignment) => Memalign(state, alignment, size);

    public void Free(GuestState* state, ulong address)
    {
        if (!_blocks.Remove(address, out var block)) return;
        if (block.Site is { } site)
        {
            profile.Deallocating();
            profile.Remove(site, block.Size, Extra(block));
            profile.Changed();
        }
        arena.Release(block.Region, block.RegionSize);
    }

    public void Delete(GuestState* state, ulong address) => Free(state, address);

    public void DeleteArray(GuestState* state, ulong address) => Free(state, address);

    public ulong Calloc(GuestState* state, ulong count, ulong size) =>
        size != 0 && count > ulong.MaxValue / size ? 0 : Allocate(state, count * size, MinimumAlignment, zeroed: true);

    /// <summary>realloc: of null, a malloc; to size 0, a free returning null; of anything but a live block, null.</summary>
    public ulong Realloc(GuestState* state, ulong address, ulong size)
    {
        if (address == 0) return Malloc(state, size);
        if (size == 0)
        {
            Free(state, address);
            return 0;
        }
        if (!_blocks.TryGetValue(address, out var old)) return 0;
        Block block;
        if (size <= old.Usable)
            block = old with { Size = size };
        else if (Place(size, MinimumAlignment) is { } moved)
        {
            block = moved;
            Buffer.MemoryCopy((void*)address, (void*)moved.Address, old.Size, old.Size);
            _blocks.Remove(address);
            arena.Release(old.Region, old.RegionSize);
        }
        else return 0;
        // A block massif ignored stays ignored, whoever resizes it.
        if (old.Site is { } from)
        {
            if (size < old.Size) profile.Deallocating();
            block = block with { Site = SiteOf(state) };
            if (block.Site is { } to) profile.Move(from, old.Size, Extra(old), to, block.Size, Extra(block));
            else profile.Remove(from, old.Size, Extra(old));
            profile.Changed();
        }
        _blocks[block.Address] = block;
        return block.Address;
    }

    /// <summary>memalign, and what Valgrind builds on it: the alignment rounded up to a power of two of at least 16.</summary>
    public ulong Memalign(GuestState* state, ulong alignment, ulong size)
    {
        ulong align = MinimumAlignment;
        while (align < alignment && align != 0) align <<= 1;
        return align == 0 ? 0 : Allocate(state, size, align, zeroed: false);
    }

    public ulong AlignedAlloc(GuestState* state, ulong alignment, ulong size) => Memalign(state, alignment, size);

    public ulong Valloc(GuestState* state, ulong size) => Memalign(state, PageSize, size);

    /// <summary>posix_memalign: EINVAL unless the alignment is a power of two multiple of the pointer size.</summary>
    public ulong PosixMemalign(GuestState* state, ulong result, ulong alignment, ulong size)
    {
        if (alignment == 0 || alignment % 8 != 0 || (alignment & (alignment - 1)) != 0) return Einval;
        ulong block = Memalign(state, alignment, size);
        if (block == 0) return Enomem;
        if (host.Space.Pages.CanWrite(result, 8)) *(ulong*)result = block;
        return 0;
    }

    public ulong UsableSize(ulong address) => _blocks.TryGetValue(address, out var block) ? block.Usable : 0;

    private ulong Allocate(GuestState* state, ulong size, ulong align, bool zeroed)
    {
        if (Place(size, align) is not { } block) return 0;
        if (zeroed) NativeMemory.Clear((void*)block.Address, (nuint)size);
        block = block with { Site = SiteOf(state) };
        _blocks.Add(block.Address, block);
        if (block.Site is { } site)
        {
            profile.Add(site, size, Extra(block));
            profile.Changed();
        }
        return block.Address;
    }

    /// <summary>Memory for a block of <paramref name="size"/> bytes, aligned; null when the guest's address space has no room.</summary>
    private Block? Place(ulong size, ulong align)
    {
        // Sizes no guest address space could hold would overflow the arithmetic below.
        if (size >= PageMap.AddressLimit) return null;
        ulong usable = AlignUp(size, alignment);
        ulong regionSize = Math.Max(usable, 1) + (align > MinimumAlignment ? align - MinimumAlignment : 0);
        if (arena.Reserve(regionSize) is not { } region) return null;
        return new Block(AlignUp(region, align), size, usable, null, region, regionSize);
    }

    private HeapTreeNode? SiteOf(GuestState* state) => sites?.Site(state);

    private ulong Extra(Block block) => block.Usable - block.Size + heapAdmin;

    private static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}
