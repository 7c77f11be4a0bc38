namespace Memcheck.Engine.Tools.Heap;

/// <summary>Where a tool's heap blocks (with memcheck's redzones) really live: the guest's memory, mapped for the heap.</summary>
public interface IHeapMemory
{
    /// <summary>A 16-byte-aligned region of at least <paramref name="size"/> bytes, or null when out of memory.</summary>
    ulong? Reserve(ulong size);

    /// <summary>Give back a region once its block is gone for good (for memcheck, once it has left the freed-block queue).</summary>
    void Release(ulong address, ulong size);
}
