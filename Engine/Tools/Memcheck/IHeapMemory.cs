namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>Where tracked blocks (with their redzones) really live: the guest's memory, mapped for the heap.</summary>
public interface IHeapMemory
{
    /// <summary>A 16-byte-aligned region of at least <paramref name="size"/> bytes, or null when out of memory.</summary>
    ulong? Reserve(ulong size);

    /// <summary>Give back a region once its block has left the freed-block queue.</summary>
    void Release(ulong address, ulong size);
}
