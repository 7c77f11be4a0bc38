using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>
/// Every malloc-family function and C++ allocation operator Valgrind 3.19's memcheck intercepts, by ELF name, in the
/// objects it intercepts them in; each runs the matching <see cref="HeapCalls"/> operation of the running tool.
/// pvalloc is left to glibc: Valgrind 3.19 aborts the program on it.
/// </summary>
public static unsafe class HeapReplacements
{
    /// <summary>Where the C functions are replaced.</summary>
    private static readonly string[] CSonames = ["libc.so*"];
    /// <summary>Where the C++ operators are replaced: both C++ runtimes and libc.</summary>
    private static readonly string[] CxxSonames = ["libstdc++*", "libc++*", "libc.so*"];

    private static readonly IrHelper Malloc = Helper("mc_malloc", &MallocCall, 1);
    private static readonly IrHelper New = Helper("mc_new", &NewCall, 1);
    private static readonly IrHelper NewArray = Helper("mc_new_array", &NewArrayCall, 1);
    private static readonly IrHelper NewAligned = Helper("mc_new_aligned", &NewAlignedCall, 2);
    private static readonly IrHelper NewArrayAligned = Helper("mc_new_array_aligned", &NewArrayAlignedCall, 2);
    private static readonly IrHelper Free = Helper("mc_free", &FreeCall, 1);
    private static readonly IrHelper Delete = Helper("mc_delete", &DeleteCall, 1);
    private static readonly IrHelper DeleteArray = Helper("mc_delete_array", &DeleteArrayCall, 1);
    private static readonly IrHelper Calloc = Helper("mc_calloc", &CallocCall, 2);
    private static readonly IrHelper Realloc = Helper("mc_realloc", &ReallocCall, 2);
    private static readonly IrHelper Reallocarray = Helper("mc_reallocarray", &ReallocarrayCall, 3);
    private static readonly IrHelper Memalign = Helper("mc_memalign", &MemalignCall, 2);
    private static readonly IrHelper AlignedAlloc = Helper("mc_aligned_alloc", &AlignedAllocCall, 2);
    private static readonly IrHelper Valloc = Helper("mc_valloc", &VallocCall, 1);
    private static readonly IrHelper PosixMemalign = Helper("mc_posix_memalign", &PosixMemalignCall, 3);
    private static readonly IrHelper UsableSize = Helper("mc_malloc_usable_size", &UsableSizeCall, 1);
    private static readonly IrHelper Zero = Helper("mc_return_0", &ZeroCall, 0);
    private static readonly IrHelper One = Helper("mc_return_1", &OneCall, 0);
    private static readonly IrHelper Mallinfo = Helper("mc_mallinfo", &MallinfoCall, 1);
    private static readonly IrHelper Mallinfo2 = Helper("mc_mallinfo2", &Mallinfo2Call, 1);

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

    private static HeapCalls Heap(GuestState* state) => MemcheckTool.Of(state).Heap;

    [UnmanagedCallersOnly]
    private static ulong MallocCall(GuestState* s, ulong size, ulong a1, ulong a2, ulong a3) =>
        Heap(s).Allocate(s, size, 0, AllocKind.Malloc, "malloc");

    [UnmanagedCallersOnly]
    private static ulong NewCall(GuestState* s, ulong size, ulong a1, ulong a2, ulong a3) =>
        Heap(s).Allocate(s, size, 0, AllocKind.New, "__builtin_new");

    [UnmanagedCallersOnly]
    private static ulong NewArrayCall(GuestState* s, ulong size, ulong a1, ulong a2, ulong a3) =>
        Heap(s).Allocate(s, size, 0, AllocKind.NewArray, "__builtin_vec_new");

    [UnmanagedCallersOnly]
    private static ulong NewAlignedCall(GuestState* s, ulong size, ulong alignment, ulong a2, ulong a3) =>
        Heap(s).Allocate(s, size, alignment, AllocKind.New, "__builtin_new_aligned");

    [UnmanagedCallersOnly]
    private static ulong NewArrayAlignedCall(GuestState* s, ulong size, ulong alignment, ulong a2, ulong a3) =>
        Heap(s).Allocate(s, size, alignment, AllocKind.NewArray, "__builtin_vec_new_aligned");

    [UnmanagedCallersOnly]
    private static ulong FreeCall(GuestState* s, ulong address, ulong a1, ulong a2, ulong a3)
    {
        Heap(s).Free(s, address, AllocKind.Malloc);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong DeleteCall(GuestState* s, ulong address, ulong a1, ulong a2, ulong a3)
    {
        Heap(s).Free(s, address, AllocKind.New);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong DeleteArrayCall(GuestState* s, ulong address, ulong a1, ulong a2, ulong a3)
    {
        Heap(s).Free(s, address, AllocKind.NewArray);
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
        Heap(s).Memalign(s, alignment, size, new ReplacementFrames(ShownAs: "memalign"));

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
