using System.Runtime.InteropServices;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Reporting;

namespace Memcheck.Engine.Tests.MemcheckTool;

/// <summary>The pieces together: tracker blocks in real memory, pointers stored as the guest would, shadow-gated reads.</summary>
public unsafe class ShadowBackedLeakCheckTests
{
    private ShadowMemory _shadow = null!;
    private FakeHeapMemory _memory = null!;
    private HeapTracker _heap = null!;
    private ulong* _globals;

    [SetUp]
    public void Create()
    {
        _shadow = new ShadowMemory();
        _memory = new FakeHeapMemory();
        _heap = new HeapTracker(_memory, _shadow, new HeapOptions());
        _globals = (ulong*)NativeMemory.AllocZeroed(64);
        _shadow.MakeDefined((ulong)_globals, 64);
    }

    [TearDown]
    public void Dispose()
    {
        NativeMemory.Free(_globals);
        _memory.Dispose();
        _shadow.Dispose();
    }

    private void Store(ulong address, ulong value)
    {
        *(ulong*)address = value;
        _shadow.SetVBits(address, 8, 0);
    }

    private LeakCheckResult Check() => new LeakChecker(new ShadowLeakMemory(_shadow, _ => null), new LeakCheckOptions())
        .Check(_heap.LiveBlocks, [new RootRange((ulong)_globals, 64)], []);

    [Test]
    public void SeedFirstExampleGivesValgrindsSummaryAndHeapLines()
    {
        HeapBlock first = _heap.Allocate(10, 16, AllocKind.Malloc, 1)!;
        Store((ulong)_globals, first.Address);
        Store((ulong)_globals, _heap.Allocate(100, 16, AllocKind.Malloc, 2)!.Address);
        _heap.Allocate(50, 16, AllocKind.Malloc, 3);
        LeakCheckResult result = Check();
        Assert.That(result.Summary.DefinitelyLost, Is.EqualTo(new ByteBlockCount(60, 2)));
        Assert.That(result.Summary.StillReachable, Is.EqualTo(new ByteBlockCount(100, 1)));
        Assert.That(HeapSummaryReport.Lines(_heap), Is.EqualTo(new[]
        {
            "HEAP SUMMARY:",
            "    in use at exit: 160 bytes in 3 blocks",
            "  total heap usage: 3 allocs, 0 frees, 160 bytes allocated",
        }));
    }

    [Test]
    public void AnUndefinedWordHoldingAPointerDoesNotCount()
    {
        HeapBlock block = _heap.Allocate(8, 16, AllocKind.Malloc, 1)!;
        _globals[1] = block.Address;
        _shadow.MakeUndefined((ulong)&_globals[1], 1);
        Assert.That(Check().Summary.DefinitelyLost, Is.EqualTo(new ByteBlockCount(8, 1)));
    }

    [Test]
    public void PointersInsideHeapBlocksAreFollowedOnlyWhereDefined()
    {
        HeapBlock parent = _heap.Allocate(32, 16, AllocKind.Malloc, 1)!;
        HeapBlock child = _heap.Allocate(16, 16, AllocKind.Malloc, 2)!;
        HeapBlock orphan = _heap.Allocate(16, 16, AllocKind.Malloc, 3)!;
        Store((ulong)_globals, parent.Address);
        Store(parent.Address, child.Address);
        *(ulong*)(parent.Address + 8) = orphan.Address;
        LeakCheckResult result = Check();
        Assert.That(result.Summary.StillReachable, Is.EqualTo(new ByteBlockCount(48, 2)));
        Assert.That(result.Summary.DefinitelyLost, Is.EqualTo(new ByteBlockCount(16, 1)));
    }

    [Test]
    public void FreedBlocksAreNotLeaks()
    {
        _heap.Free(_heap.Allocate(3000, 16, AllocKind.Malloc, 1)!, 2);
        LeakCheckResult result = Check();
        Assert.That(result.Blocks, Is.Empty);
        Assert.That(_heap.InUseBlocks, Is.Zero);
    }
}
