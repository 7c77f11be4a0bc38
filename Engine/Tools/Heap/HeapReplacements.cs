using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Heap;

/// <summary>
/// Every malloc-family function and C++ allocation operator Valgrind 3.19's heap tools (memcheck, massif) intercept,
/// by ELF name, in the objects they intercept them in; each runs the matching <see cref="IReplacedHeap"/> operation of
/// the running tool. pvalloc is left to glibc: Valgrind 3.19 aborts the program on it.
/// </summary>
public static unsafe class HeapReplacements
{
    /// <summary>Where the C functions are replaced.</summary>
    private static readonly string[] CSonames = ["libc.so*"];
    /// <summary>Where the C++ operators are replaced: both C++ runtimes and libc.</summary>
    private static readonly string[] CxxSonames = ["libstdc++*", "libc++*", "libc.so*"];

    private static readonly IrHelper Malloc = Helper("heap_malloc", &MallocCall, 1);
    private static readonly IrHelper New = Helper("heap_new", &NewCall, 1);
    private static readonly IrHelper NewArray = Helper("heap_new_array", &NewArrayCall, 1);
    private static readonly IrHelper NewAligned = Helper("heap_new_aligned", &NewAlignedCall, 2);
    private static readonly IrHelper NewArrayAligned = Helper("heap_new_array_aligned", &NewArrayAlignedCall, 2);
    private static readonly IrHelper Free = Helper("heap_free", &FreeCall, 1);
    private static readonly IrHelper Delete = Helper("heap_delete", &DeleteCall, 1);
    private static readonly IrHelper DeleteArray = Helper("heap_delete_array", &DeleteArrayCall, 1);
    private static readonly IrHelper Calloc = Helper("heap_calloc", &CallocCall, 2);
    private static readonly IrHelper Realloc = Helper("heap_realloc", &ReallocCall, 2);
    private static readonly IrHelper Reallocarray = Helper("heap_reallocarray", &ReallocarrayCall, 3);
    private static readonly IrHelper Memalign = Helper("heap_memalign", &MemalignCall, 2);
    private static readonly IrHelper AlignedAlloc = Helper("heap_aligned_alloc", &AlignedAllocCall, 2);
    private static readonly IrHelper Valloc = Helper("heap_valloc", &VallocCall, 1);
    private static readonly IrHelper PosixMemalign = Helper("heap_posix_memalign", &PosixMemalignCall, 3);
    private static readonly IrHelper UsableSize = Helper("heap_malloc_usable_size", &UsableSizeCall, 1);
    private static readonly IrHelper Zero = Helper("heap_return_0", &ZeroCall, 0);
    private static readonly IrHelper One = Helper("heap_return_1", &OneCall, 0);
    private static readonly IrHelper Mallinfo = Helper("heap_mallinfo", &MallinfoCall, 1);
    private static readonly IrHelper Mallinfo2 = Helper("heap_mallinfo2", &Mallinfo2Call, 1);

    /// <summary>The names, as data: C functions, then the C++ operators (mangled).</summary>
    private static readonly (string Symbol, IrHelper Helper)[] CFunctions =
    [
        ("malloc", Malloc), ("free", Free), ("cfree", Free), ("calloc", Calloc), ("realloc", Realloc),
        ("reallocarray", Reallocarray), ("memalign", Memalign), ("aligned_alloc", AlignedAlloc), ("valloc", Valloc),
        ("posix_memalign", PosixMemalign), ("malloc_usable_size", UsableSize),
        ("malloc_trim", Zero), ("mallopt", One), ("mallinfo", Mallinfo), ("mallinfo2", Mallinfo2), ("malloc_stats", Zero),
    ];

    private static readonly (string Symbol, IrHelper Helper)[] CxxOperators =
    [
        ("_Znwm", New), ("_ZnwmRKSt9nothrow_t", New), ("__builtin_new", New),
        ("_Znam", NewArray), ("_ZnamRKSt9nothrow_t", NewArray), ("__builtin_vec_new", NewArray),
        ("_ZnwmSt11align_val_t", NewAligned), ("_ZnwmSt11align_val_tRKSt9nothrow_t", NewAligned),
        ("_ZnamSt11align_val_t", NewArrayAligned), ("_ZnamSt11align_val_tRKSt9nothrow_t", NewArrayAligned),
        ("_ZdlPv", Delete), ("_ZdlPvRKSt9nothrow_t", Delete), ("_ZdlPvm", Delete), ("__builtin_delete", Delete),
        ("_ZdlPvSt11align_val_t", Delete), ("_ZdlPvmSt11align_val_t", Delete), ("_ZdlPvSt11align_val_tRKSt9nothrow_t", Delete),
        ("_ZdaPv", DeleteArray), ("_ZdaPvRKSt9nothrow_t", DeleteArray), ("_ZdaPvm", DeleteArray), ("__builtin_vec_delete", DeleteArray),
        ("_ZdaPvSt11align_val_t", DeleteArray), ("_ZdaPvmSt11align_val_t", DeleteArray), ("_ZdaPvSt11align_val_tRKSt9nothrow_t", DeleteArray),
    ];

    /// <summary>
    /// The replacements; <paramref name="somalloc"/> is --soname-synonyms=somalloc=PATTERN, the other object (a
    /// static program is "NONE") whose allocator is replaced as well.
    /// </summary>
    public static IReadOnlyList<FunctionReplacement> All(string? somalloc = null) =>
    [
        .. Table(CFunctions, somalloc is null ? CSonames : [.. CSonames, somalloc]),
        .. Table(CxxOperators, somalloc is null ? CxxSonames : [.. CxxSonames, somalloc]),
    ];

    private static IEnumerable<FunctionReplacement> Table((string Symbol, IrHelper Helper)[] functions, string[] sonames) =>
        from soname in sonames from f in functions select new FunctionReplacement(soname, f.Symbol, f.Helper);

    private static IrHelper Helper(string name, delegate* unmanaged<GuestState*, ulong, ulong, ulong, ulong, ulong> function, int args) =>
        new(name, function, args, isPure: false);

    private static IReplacedHeap Heap(GuestState* state) => ((IHeapTool)GCHandle.FromIntPtr(state->ToolHandle).Target!).ReplacedHeap;

    [UnmanagedCallersOnly]
    private static ulong MallocCall(GuestState* s, ulong size, ulong a1, ulong a2, ulong a3) =>
        Heap(s).Malloc(s, size);

    [UnmanagedCallersOnly]
    private static ulong NewCall(GuestState* s, ulong size, ulong a1, ulong a2, ulong a3) =>
        Heap(s).New(s, size);

    [UnmanagedCallersOnly]
    private static ulong NewArrayCall(GuestState* s, ulong size, ulong a1, ulong a2, ulong a3) =>
        Heap(s).NewArray(s, size);

    [UnmanagedCallersOnly]
    private static ulong NewAlignedCall(GuestState* s, ulong size, ulong alignment, ulong a2, ulong a3) =>
        Heap(s).NewAligned(s, size, alignment);

    [UnmanagedCallersOnly]
    private static ulong NewArrayAlignedCall(GuestState* s, ulong size, ulong alignment, ulong a2, ulong a3) =>
        Heap(s).NewArrayAligned(s, size, alignment);

    [UnmanagedCallersOnly]
    private static ulong FreeCall(GuestState* s, ulong address, ulong a1, ulong a2, ulong a3)
    {
        Heap(s).Free(s, address);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong DeleteCall(GuestState* s, ulong address, ulong a1, ulong a2, ulong a3)
    {
        Heap(s).Delete(s, address);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong DeleteArrayCall(GuestState* s, ulong address, ulong a1, ulong a2, ulong a3)
    {
        Heap(s).DeleteArray(s, address);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong CallocCall(GuestState* s, ulong count, ulong size, ulong a2, ulong a3) => Heap(s).Calloc(s, count, size);

    [UnmanagedCallersOnly]
    private static ulong ReallocCall(GuestState* s, ulong address, ulong size, ulong a2, ulong a3) => Heap(s).Realloc(s, address, size);

    /// <summary>reallocarray: realloc of count * size (a malloc for null), null when the product overflows.</summary>
    [UnmanagedCallersOnly]
    private static ulong ReallocarrayCall(GuestState* s, ulong address, ulong count, ulong size, ulong a3) =>
        size != 0 && count > ulong.MaxValue / size ? 0 : Heap(s).Realloc(s, address, count * size);

    [UnmanagedCallersOnly]
    private static ulong MemalignCall(GuestState* s, ulong alignment, ulong size, ulong a2, ulong a3) => Heap(s).Memalign(s, alignment, size);

    [UnmanagedCallersOnly]
    private static ulong AlignedAllocCall(GuestState* s, ulong alignment, ulong size, ulong a2, ulong a3) =>
        Heap(s).AlignedAlloc(s, alignment, size);

    [UnmanagedCallersOnly]
    private static ulong VallocCall(GuestState* s, ulong size, ulong a1, ulong a2, ulong a3) => Heap(s).Valloc(s, size);

    [UnmanagedCallersOnly]
    private static ulong PosixMemalignCall(GuestState* s, ulong result, ulong alignment, ulong size, ulong a3) =>
        Heap(s).PosixMemalign(s, result, alignment, size);

    [UnmanagedCallersOnly]
    private static ulong UsableSizeCall(GuestState* s, ulong address, ulong a1, ulong a2, ulong a3) => Heap(s).UsableSize(address);

    [UnmanagedCallersOnly]
    private static ulong ZeroCall(GuestState* s, ulong a0, ulong a1, ulong a2, ulong a3) => 0;

    [UnmanagedCallersOnly]
    private static ulong OneCall(GuestState* s, ulong a0, ulong a1, ulong a2, ulong a3) => 1;

    /// <summary>mallinfo returns its 10-int struct through the hidden result pointer (rdi); memcheck's is all zeros.</summary>
    [UnmanagedCallersOnly]
    private static ulong MallinfoCall(GuestState* s, ulong result, ulong a1, ulong a2, ulong a3) => ZeroStruct(result, 10 * sizeof(int));

    [UnmanagedCallersOnly]
    private static ulong Mallinfo2Call(GuestState* s, ulong result, ulong a1, ulong a2, ulong a3) => ZeroStruct(result, 10 * sizeof(ulong));

    private static ulong ZeroStruct(ulong result, int size)
    {
        new Span<byte>((void*)result, size).Clear();
        return result;
    }
}
