using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tests.MemcheckTool.Origins;

/// <summary>Heap blocks' undefined bytes were created by their allocation, as memcheck tags them.</summary>
public class HeapOriginTests
{
    private ShadowMemory _shadow = null!;
    private FakeHeapMemory _memory = null!;
    private OriginSources _sources = null!;
    private HeapTracker _heap = null!;

    [SetUp]
    public void Create()
    {
        _shadow = new ShadowMemory(new OriginMemory());
        _memory = new FakeHeapMemory();
        _sources = new OriginSources(new StackStore(), address => [new StackFrame(address, null, null, 0, null)]);
        _heap = new HeapTracker(_memory, _shadow, new HeapOptions(), _sources);
    }

    [TearDown]
    public void Dispose()
    {
        _memory.Dispose();
        _shadow.Dispose();
    }

    private uint OriginAt(ulong address) => _shadow.Origins!.Load(address, 1);

    [Test]
    public void AMallocdBlockWasCreatedByItsAllocationStack()
    {
        HeapBlock block = _heap.Allocate(16, 16, AllocKind.Malloc, allocStack: 3)!;
        Assert.That(OriginAt(block.Address + 15), Is.EqualTo(_sources.Heap(3)));
        Assert.That(OriginAt(block.Address + 16), Is.EqualTo(OriginTags.None), "the redzone");
    }

    [Test]
    public void ACallocdBlockHasNoOrigin()
    {
        HeapBlock block = _heap.Allocate(16, 16, AllocKind.Malloc, allocStack: 3, zeroed: true)!;
        Assert.That(OriginAt(block.Address), Is.EqualTo(OriginTags.None));
    }

    [Test]
    public void AReallocsGrownTailWasCreatedByTheReallocAndItsKeptBytesHaveNoOrigin()
    {
        HeapBlock old = _heap.Allocate(8, 16, AllocKind.Malloc, allocStack: 1)!;
        HeapBlock grown = _heap.Reallocate(old, 32, stack: 2)!;
        Assert.That(OriginAt(grown.Address + 8), Is.EqualTo(_sources.Heap(2)));
        Assert.That(OriginAt(grown.Address), Is.EqualTo(OriginTags.None), "memcheck copies V bits, not origins");
        Assert.That(_shadow.Get(grown.Address), Is.EqualTo(VaBits.Undefined));
    }

    [Test]
    public void AClientAllocatorsBlockWasCreatedByAHeapAllocationAtItsRequest()
    {
        HeapBlock block = _heap.Register(0x5000_0000, 32, redzone: 16, zeroed: false, allocStack: 4);
        Assert.That(OriginAt(block.Address + 31), Is.EqualTo(_sources.Heap(4)));
    }

    [Test]
    public void AResizeInPlacesGrownTailWasCreatedByTheResizeRequest()
    {
        HeapBlock block = _heap.Register(0x5000_0000, 32, redzone: 16, zeroed: false, allocStack: 4);
        _heap.Resize(block, 64, stack: 5);
        Assert.That(OriginAt(block.Address + 31), Is.EqualTo(_sources.Heap(4)));
        Assert.That(OriginAt(block.Address + 32), Is.EqualTo(_sources.Heap(5)));
    }

    [Test]
    public void AFreedBlockLosesItsOrigins()
    {
        HeapBlock block = _heap.Allocate(16, 16, AllocKind.Malloc, allocStack: 1)!;
        _heap.Free(block, freeStack: 2);
        Assert.That(OriginAt(block.Address), Is.EqualTo(OriginTags.None));
    }
}
