using Memcheck.Engine.Guest;
using static Memcheck.Engine.Guest.LinuxMm;

namespace Memcheck.Engine.Tools.Heap;

/// <summary>
/// Where client heap blocks live: anonymous guest mappings the tool takes from the guest's address space, as
/// Valgrind's client arena does, so the guest's own mmaps never land on them. Small regions are carved from
/// chunks and reused by exact size once released; a region bigger than a chunk gets a mapping of its own, unmapped
/// on release. Memcheck excludes the arena from leak-check roots and starts its bytes noaccess.
/// </summary>
public sealed class HeapArena(GuestAddressSpace space) : IHeapMemory
{
    private const ulong ChunkSize = 4UL << 20;

    private readonly List<(ulong Start, ulong Length)> _mappings = [];
    private readonly Dictionary<ulong, Stack<ulong>> _released = [];
    private ulong _next, _end;

    /// <summary>True while the arena maps memory, so the address-space listener can tell its mappings apart.</summary>
    public bool Mapping { get; private set; }

    /// <summary>The arena's mappings, which the leak check does not scan.</summary>
    public IReadOnlyList<(ulong Start, ulong Length)> Mappings => _mappings;

    public ulong? Reserve(ulong size)
    {
        size = (size + 15) & ~15UL;
        if (_released.TryGetValue(size, out var reusable) && reusable.Count > 0)
            return reusable.Pop();
        if (size > ChunkSize / 2)
            return Map(size);
        if (_end - _next < size)
        {
            if (Map(ChunkSize) is not ulong chunk) return null;
            (_next, _end) = (chunk, chunk + ChunkSize);
        }
        ulong address = _next;
        _next += size;
        return address;
    }

    public void Release(ulong address, ulong size)
    {
        size = (size + 15) & ~15UL;
        if (size > ChunkSize / 2)
        {
            ulong length = PageMap.PageUp(size);
            space.Munmap(address, length);
            _mappings.Remove((address, length));
            return;
        }
        if (!_released.TryGetValue(size, out var stack))
            _released[size] = stack = new Stack<ulong>();
        stack.Push(address);
    }

    private ulong? Map(ulong size)
    {
        ulong length = PageMap.PageUp(size);
        if (length == 0) return null;
        Mapping = true;
        long result;
        try
        {
            result = space.Mmap(0, length, ProtRead | ProtWrite, MapPrivate | MapAnonymous | MapNoReserve, -1, 0);
        }
        finally
        {
            Mapping = false;
        }
        if (result < 0) return null;
        _mappings.Add(((ulong)result, length));
        return (ulong)result;
    }
}
