using Memcheck.Engine.Cpu;
using Memcheck.Engine.Tools.Heap;

namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>
/// The replaced malloc family on memcheck's heap: each function with the family its blocks belong to (for mismatched
/// frees) and the name Valgrind's replacement shows in error messages and at the top of stacks.
/// </summary>
public sealed unsafe class MemcheckHeapFunctions(HeapCalls heap) : IReplacedHeap
{
    public ulong Malloc(GuestState* state, ulong size) => heap.Allocate(state, size, 0, AllocKind.Malloc, "malloc");

    public ulong New(GuestState* state, ulong size) => heap.Allocate(state, size, 0, AllocKind.New, "__builtin_new");

    public ulong NewArray(GuestState* state, ulong size) => heap.Allocate(state, size, 0, AllocKind.NewArray, "__builtin_vec_new");

    public ulong NewAligned(GuestState* state, ulong size, ulong alignment) =>
        heap.Allocate(state, size, alignment, AllocKind.New, "__builtin_new_aligned");

    public ulong NewArrayAligned(GuestState* state, ulong size, ulong alignment) =>
        heap.Allocate(state, size, alignment, AllocKind.NewArray, "__builtin_vec_new_aligned");

    public void Free(GuestState* state, ulong address) => heap.Free(state, address, AllocKind.Malloc);

    public void Delete(GuestState* state, ulong address) => heap.Free(state, address, AllocKind.New);

    public void DeleteArray(GuestState* state, ulong address) => heap.Free(state, address, AllocKind.NewArray);

    public ulong Calloc(GuestState* state, ulong count, ulong size) => heap.Calloc(state, count, size);

    public ulong Realloc(GuestState* state, ulong address, ulong size) => heap.Realloc(state, address, size);

    public ulong Memalign(GuestState* state, ulong alignment, ulong size) => heap.Memalign(state, alignment, size);

    public ulong AlignedAlloc(GuestState* state, ulong alignment, ulong size) =>
        heap.Memalign(state, alignment, size, new ReplacementFrames(ShownAs: "memalign"));

    public ulong Valloc(GuestState* state, ulong size) => heap.Valloc(state, size);

    public ulong PosixMemalign(GuestState* state, ulong result, ulong alignment, ulong size) =>
        heap.PosixMemalign(state, result, alignment, size);

    public ulong UsableSize(ulong address) => heap.UsableSize(address);
}
