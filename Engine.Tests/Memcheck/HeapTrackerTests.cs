using Memcheck.Engine.Tools.Memcheck;

namespace Memcheck.Engine.Tests.MemcheckTool;

public unsafe class HeapTrackerTests
{
    private ShadowMemory _shadow = null!;
    private FakeHeapMemory _memory = null!;
    private HeapTracker _heap = null!;

    [SetUp]
    public void Create()
    {
        _shadow = new ShadowMemory();
        _memory = new FakeHeapMemory();
        _heap = new HeapTracker(_memory, _shadow, new HeapOptions());
    }

    [TearDown]
    public void Dispose()
    {
        _memory.Dispose();
        _shadow.Dispose();
    }

    private HeapBlock Malloc(ulong size, int stack = 1) => _heap.Allocate(size, 16, AllocKind.Malloc, stack)!;

    [Test]
    public void PayloadIsUndefinedBetweenNoAccessRedzones()
    {
        HeapBlock block = Malloc(40);
        Assert.That(block.Address % 16, Is.Zero);
        Assert.That(_shadow.Get(block.Address - 1), Is.EqualTo(VaBits.NoAccess));
        Assert.That(_shadow.Get(block.Address - 16), Is.EqualTo(VaBits.NoAccess));
        Assert.That(_shadow.CheckAddressable(block.Address, 40), Is.Null);
        Assert.That(_shadow.CheckDefined(block.Address, 40, out _), Is.EqualTo(block.Address));
        Assert.That(_shadow.Get(block.End), Is.EqualTo(VaBits.NoAccess));
        Assert.That(_shadow.Get(block.End + 15), Is.EqualTo(VaBits.NoAccess));
    }

    [Test]
    public void CallocPayloadIsZeroAndDefined()
    {
        HeapBlock block = _heap.Allocate(24, 16, AllocKind.Malloc, 1, zeroed: true)!;
        Assert.That(new Span<byte>((void*)block.Address, 24).ToArray(), Is.All.Zero);
        Assert.That(_shadow.CheckDefined(block.Address, 24, out _), Is.Null);
    }

    [Test]
    public void AlignedAllocationsHonourTheirAlignment()
    {
        HeapBlock block = _heap.Allocate(100, 256, AllocKind.Malloc, 1)!;
        Assert.That(block.Address % 256, Is.Zero);
        Assert.That(block.Address - block.RegionStart, Is.GreaterThanOrEqualTo(16UL));
        Assert.That(block.RegionStart + block.RegionSize - block.End, Is.GreaterThanOrEqualTo(16UL));
    }

    [Test]
    public void FreeMakesThePayloadNoAccessAndKeepsTheBlockQueued()
    {
        HeapBlock block = Malloc(32);
        _heap.Free(block, 7);
        Assert.That(block.IsFreed && block.FreeStack == 7, Is.True);
        Assert.That(_shadow.CheckAddressable(block.Address, 32), Is.EqualTo(block.Address));
        Assert.That(_heap.FindLive(block.Address), Is.Null, "a second free is an invalid free");
        Assert.That(_heap.FreedBlocks, Is.EqualTo(new[] { block }));
        Assert.That(_memory.Released, Is.Empty);
    }

    [Test]
    public void OutOfMemoryGivesNullAndIsNotCounted()
    {
        var heap = new HeapTracker(new FakeHeapMemory { Limit = 1000 }, _shadow, new HeapOptions());
        Assert.That(heap.Allocate(5000, 16, AllocKind.Malloc, 1), Is.Null);
        Assert.That((heap.TotalAllocs, heap.TotalBytesAllocated, heap.InUseBlocks), Is.EqualTo((0UL, 0UL, 0UL)));
    }

    [Test]
    public void AHugeRequestFailsInsteadOfWrappingAround()
    {
        Assert.That(_heap.Allocate(ulong.MaxValue - 8, 16, AllocKind.Malloc, 1), Is.Null);
        Assert.That(_heap.InUseBlocks, Is.Zero);
    }

    [Test]
    public void SummaryCountersMatchValgrindOnAMixedProgram()
    {
        // ring.c under valgrind 3.19: "in use at exit: 220 bytes in 9 blocks",
        // "total heap usage: 13 allocs, 4 frees, 2,241 bytes allocated".
        for (int i = 0; i < 4; i++)
            Malloc(16);
        Malloc(32);
        Malloc(100);
        HeapBlock q = Malloc(2000);
        for (int i = 0; i < 3; i++)
            Malloc(8);
        _heap.Free(Malloc(5), 2);
        _heap.Free(q, 2);
        HeapBlock z = Malloc(7);               // realloc(NULL, 7) is malloc
        z = _heap.Reallocate(z, 9, 3)!;
        _heap.Free(z, 4);                       // realloc(z, 0) is free
        Assert.That((_heap.InUseBytes, _heap.InUseBlocks), Is.EqualTo((220UL, 9UL)));
        Assert.That((_heap.TotalAllocs, _heap.TotalFrees, _heap.TotalBytesAllocated), Is.EqualTo((13UL, 4UL, 2241UL)));
    }

    [Test]
    public void ReallocMovesContentsAndValidityEvenWhenShrinking()
    {
        HeapBlock old = Malloc(16);
        *(ulong*)old.Address = 0x1122334455667788;
        _shadow.MakeDefined(old.Address, 4);
        HeapBlock grown = _heap.Reallocate(old, 32, 9)!;
        Assert.That(grown.Address, Is.Not.EqualTo(old.Address));
        Assert.That(*(ulong*)grown.Address, Is.EqualTo(0x1122334455667788UL));
        Assert.That(_shadow.CheckDefined(grown.Address, 32, out _), Is.EqualTo(grown.Address + 4));
        Assert.That(old.FreeStack, Is.EqualTo(9));
        HeapBlock shrunk = _heap.Reallocate(grown, 2, 10)!;
        Assert.That(shrunk.Address, Is.Not.EqualTo(grown.Address));
        Assert.That(_shadow.CheckDefined(shrunk.Address, 2, out _), Is.Null);
        Assert.That(_shadow.Get(shrunk.Address + 2), Is.EqualTo(VaBits.NoAccess));
    }

    [Test]
    public void ReallocKeepsTheAllocatorKind()
    {
        HeapBlock block = _heap.Allocate(8, 16, AllocKind.New, 1)!;
        Assert.That(_heap.Reallocate(block, 16, 2)!.Kind, Is.EqualTo(AllocKind.New));
    }

    [Test]
    public void FreelistEvictsBigBlocksFirstThenOldestSmallOnes()
    {
        var heap = new HeapTracker(_memory, _shadow, new HeapOptions { FreelistVolume = 100, FreelistBigBlocks = 50 });
        HeapBlock Alloc(ulong size) => heap.Allocate(size, 16, AllocKind.Malloc, 1)!;
        HeapBlock small1 = Alloc(30), small2 = Alloc(30), big = Alloc(60), small3 = Alloc(45);
        heap.Free(small1, 2);
        heap.Free(small2, 2);
        Assert.That(_memory.Released, Is.Empty);
        heap.Free(big, 2);
        Assert.That(_memory.Released.Select(r => r.Address), Is.EqualTo(new[] { big.RegionStart }), "120 > 100: the big block goes though newest");
        heap.Free(small3, 2);
        Assert.That(_memory.Released.Select(r => r.Address), Is.EqualTo(new[] { big.RegionStart, small1.RegionStart }));
        Assert.That(heap.FreedVolume, Is.EqualTo(75UL));
        Assert.That(heap.FreedBlocks, Is.EqualTo(new[] { small2, small3 }));
    }

    [Test]
    public void ABlockBiggerThanTheVolumeLeavesAtOnce()
    {
        var heap = new HeapTracker(_memory, _shadow, new HeapOptions { FreelistVolume = 100, FreelistBigBlocks = 50 });
        HeapBlock small = heap.Allocate(10, 16, AllocKind.Malloc, 1)!;
        HeapBlock huge = heap.Allocate(500, 16, AllocKind.Malloc, 1)!;
        heap.Free(small, 2);
        heap.Free(huge, 2);
        Assert.That(heap.FreedBlocks, Is.EqualTo(new[] { small }));
    }

    [Test]
    public void DescribesAddressesAsValgrindDoes()
    {
        HeapBlock block = Malloc(40);
        Assert.That(_heap.Describe(block.End)!.Headline, Is.EqualTo($"Address 0x{block.End:x} is 0 bytes after a block of size 40 alloc'd"));
        Assert.That(_heap.Describe(block.Address - 1)!.Headline, Does.EndWith("is 1 bytes before a block of size 40 alloc'd"));
        Assert.That(_heap.Describe(block.End + 16), Is.Null);
        HeapBlock freed = Malloc(32);
        _heap.Free(freed, 3);
        Assert.That(_heap.Describe(freed.Address + 8)!.Headline, Does.EndWith("is 8 bytes inside a block of size 32 free'd"));
        HeapBlock big = Malloc(2000);
        Assert.That(_heap.Describe(big.End + 3)!.Headline, Does.EndWith("is 3 bytes after a block of size 2,000 alloc'd"));
    }

    [Test]
    public void AZeroSizedBlockStillBracketsItsAddress()
    {
        HeapBlock block = Malloc(0);
        Assert.That(_heap.Describe(block.Address)!.Headline, Does.EndWith("is 0 bytes after a block of size 0 alloc'd"));
    }
}
