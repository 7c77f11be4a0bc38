using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// A page map of the backend's fixed layout (Level1: 2^19 pointers by address &gt;&gt; 28; Level2: one
/// byte per 4 KiB page, bit0 readable, bit1 writable), built here so the tests depend only on the layout.
/// </summary>
internal sealed unsafe class TestPageMap : IGuestMemoryGuard, IDisposable
{
    private readonly byte** _level1 = (byte**)NativeMemory.AllocZeroed(1 << 19, (nuint)sizeof(nint));

    public nint Level1 => (nint)_level1;

    public void Mark(ulong start, ulong length, byte bits)
    {
        for (ulong page = start & ~0xFFFUL; page < start + length; page += 0x1000)
        {
            ref byte* level2 = ref _level1[page >> 28];
            if (level2 == null) level2 = (byte*)NativeMemory.AllocZeroed(1 << 16);
            level2[(page >> 12) & 0xFFFF] = bits;
        }
    }

    private bool Allows(ulong address, int size, byte bit) =>
        Page(address, bit) && Page(address + (ulong)size - 1, bit);

    private bool Page(ulong address, byte bit)
    {
        if (address >= 1UL << 47) return false;
        byte* level2 = _level1[address >> 28];
        return level2 != null && (level2[(address >> 12) & 0xFFFF] & bit) != 0;
    }

    public bool CanRead(ulong address, int size) => Allows(address, size, 1);
    public bool CanWrite(ulong address, int size) => Allows(address, size, 2);

    public void Dispose()
    {
        for (int i = 0; i < 1 << 19; i++) NativeMemory.Free(_level1[i]);
        NativeMemory.Free(_level1);
    }
}

/// <summary>
/// Everything a backend test runs on: a code cache, a page map, guest memory the map marks
/// (<see cref="ReadWritePages"/> pages read-write, then <see cref="ReadOnlyPages"/> read-only, then one
/// unowned page), and guest states for the compiled code and the interpreter.
/// </summary>
internal sealed unsafe class JitTestMachine : IDisposable
{
    public const int ReadWritePages = 2, ReadOnlyPages = 1;
    public const int MemoryBytes = (ReadWritePages + ReadOnlyPages + 1) * 4096;

    public readonly CodeCache Cache = new(16 << 20);
    public readonly TestPageMap PageMap = new();
    public readonly BackendContext Context;
    public readonly BlockCompiler Compiler = new();
    public readonly byte* Memory = (byte*)NativeMemory.AlignedAlloc(MemoryBytes, 4096);
    public readonly GuestState* State = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);
    public readonly GuestState* Reference = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);

    /// <param name="chaining">
    /// Whether exits may chain and indirect ones go through the lookup table. Off by default: differential checks
    /// run one block, and a random block whose computed target happens to be its own address would otherwise loop.
    /// </param>
    /// <param name="guestRegion">Whether accesses below <see cref="GuestRegion.End"/> take the region's bounds test instead of the page map.</param>
    /// <param name="countInstructions">Whether blocks count the guest instructions they run (exits then have work of their own).</param>
    public JitTestMachine(bool chaining = false, bool guestRegion = false, bool countInstructions = true)
    {
        PageMap.Mark(MemoryBase, ReadWritePages * 4096, 3);
        PageMap.Mark(MemoryBase + ReadWritePages * 4096, ReadOnlyPages * 4096, 1);
        new Span<byte>(Memory, MemoryBytes).Clear();
        new Span<byte>(State, GuestState.BlockSize).Clear();
        Context = new BackendContext(PageMap.Level1, Cache)
        {
            Chaining = chaining, GuestRegionEnd = guestRegion ? GuestRegion.End : 0, CountInstructions = countInstructions,
        };
    }

    public ulong MemoryBase => (ulong)Memory;
    public ulong UnownedAddress => MemoryBase + (ReadWritePages + ReadOnlyPages) * 4096;
    public ulong ReadOnlyAddress => MemoryBase + ReadWritePages * 4096;

    public CompiledBlock Compile(Superblock sb) => Compiler.Compile(sb, Context);

    public ulong Run(CompiledBlock block) => block.Entry(State);

    public void Dispose()
    {
        Cache.Dispose();
        PageMap.Dispose();
        NativeMemory.AlignedFree(Memory);
        NativeMemory.AlignedFree(State);
        NativeMemory.AlignedFree(Reference);
    }
}
