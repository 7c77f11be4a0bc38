using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Tools.Heap;

/// <summary>
/// What a heap tool runs for the guest's malloc family and C++ allocation operators (<see cref="HeapReplacements"/>
/// routes each replaced symbol here), with the calling thread's registers so the tool can take its stack. Addresses
/// are guest addresses; 0 is a null pointer.
/// </summary>
public unsafe interface IReplacedHeap
{
    ulong Malloc(GuestState* state, ulong size);
    /// <summary>operator new, nothrow or not.</summary>
    ulong New(GuestState* state, ulong size);
    ulong NewArray(GuestState* state, ulong size);
    ulong NewAligned(GuestState* state, ulong size, ulong alignment);
    ulong NewArrayAligned(GuestState* state, ulong size, ulong alignment);
    void Free(GuestState* state, ulong address);
    /// <summary>operator delete in all its forms (sized, aligned, nothrow).</summary>
    void Delete(GuestState* state, ulong address);
    void DeleteArray(GuestState* state, ulong address);
    ulong Calloc(GuestState* state, ulong count, ulong size);
    ulong Realloc(GuestState* state, ulong address, ulong size);
    ulong Memalign(GuestState* state, ulong alignment, ulong size);
    ulong AlignedAlloc(GuestState* state, ulong alignment, ulong size);
    ulong Valloc(GuestState* state, ulong size);
    /// <summary>posix_memalign: stores the block at <paramref name="result"/>; returns 0 or an errno value.</summary>
    ulong PosixMemalign(GuestState* state, ulong result, ulong alignment, ulong size);
    ulong UsableSize(ulong address);
}

/// <summary>A tool whose heap the replaced functions run on (found from the guest state's tool handle).</summary>
public interface IHeapTool
{
    IReplacedHeap ReplacedHeap { get; }
}
