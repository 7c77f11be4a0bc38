using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tests.MemcheckTool.Origins;

/// <summary>Origin tags of memory kept per 4-byte word with a mask of the bytes carrying them, as memcheck keeps them.</summary>
public class OriginMemoryTests
{
    private const ulong Base = 0x10_0000_0000;
    private const uint Heap = 4 | 1, Stack = 8 | 2, Later = 12 | 1;
    private OriginMemory _origins = null!;

    [SetUp]
    public void Create() => _origins = new OriginMemory();

    [TearDown]
    public void Dispose() => _origins.Dispose();

    [Test]
    public void MemoryNeverTaggedHasNoOriginAndNoSecondary()
    {
        Assert.That(_origins.Load(Base, 8), Is.EqualTo(OriginTags.None));
        _origins.Store(Base, 4096, OriginTags.None);
        Assert.That(_origins.OwnSecondaryCount, Is.Zero, "clearing untagged memory copies nothing");
    }

    [Test]
    public void ALoadReadsTheTagOfTheBytesStored()
    {
        _origins.Store(Base + 3, 6, Heap);
        Assert.That(_origins.Load(Base + 3, 1), Is.EqualTo(Heap));
        Assert.That(_origins.Load(Base + 8, 1), Is.EqualTo(Heap));
        Assert.That(_origins.Load(Base + 2, 1), Is.EqualTo(OriginTags.None), "the byte before is not marked");
        Assert.That(_origins.Load(Base + 9, 1), Is.EqualTo(OriginTags.None), "the byte after is not marked");
    }

    [Test]
    public void StoringATagIntoOneByteRenamesItsWholeWord()
    {
        _origins.Store(Base, 8, Heap);
        _origins.Store(Base + 1, 1, Stack);
        Assert.That(_origins.Load(Base + 3, 1), Is.EqualTo(Stack), "the word's other bytes now read the byte's tag");
        Assert.That(_origins.Load(Base + 4, 1), Is.EqualTo(Heap), "the next word keeps its own");
    }

    [Test]
    public void StoringNoTagUnmarksOnlyTheBytesStored()
    {
        _origins.Store(Base, 4, Heap);
        _origins.Store(Base, 2, OriginTags.None);
        Assert.That(_origins.Load(Base, 2), Is.EqualTo(OriginTags.None));
        Assert.That(_origins.Load(Base + 2, 1), Is.EqualTo(Heap));
        Assert.That(_origins.Load(Base, 4), Is.EqualTo(Heap), "a load with one marked byte reads the word's tag");
    }

    [Test]
    public void ALoadAcrossWordsTakesTheLargestTag()
    {
        _origins.Store(Base, 4, Later);
        _origins.Store(Base + 4, 4, Heap);
        Assert.That(_origins.Load(Base, 8), Is.EqualTo(Later));
        Assert.That(_origins.Load(Base + 2, 4), Is.EqualTo(Later), "a misaligned load reads both words too");
    }

    [Test]
    public void ATagStoredAcrossAChunkBoundaryIsInBothChunks()
    {
        ulong boundary = Base + ShadowMemory.ChunkSize;
        _origins.Store(boundary - 2, 4, Stack);
        Assert.That(_origins.Load(boundary - 1, 1), Is.EqualTo(Stack));
        Assert.That(_origins.Load(boundary + 1, 1), Is.EqualTo(Stack));
        Assert.That(_origins.OwnSecondaryCount, Is.EqualTo(2));
    }

    [Test]
    public void ClearingAWholeChunkReleasesItsSecondary()
    {
        _origins.Store(Base + 100, 8, Heap);
        _origins.Store(Base, ShadowMemory.ChunkSize, OriginTags.None);
        Assert.That(_origins.OwnSecondaryCount, Is.Zero);
        Assert.That(_origins.Load(Base + 100, 8), Is.EqualTo(OriginTags.None));
    }

    [Test]
    public void MemoryAtTheAddressLimitHasNoTags()
    {
        _origins.Store(ShadowMemory.AddressLimit - 2, 4, Heap);
        Assert.That(_origins.Load(ShadowMemory.AddressLimit - 1, 1), Is.EqualTo(Heap));
        Assert.That(_origins.Load(ShadowMemory.AddressLimit, 8), Is.EqualTo(OriginTags.None));
    }

    [Test]
    public void ShadowRangeOperationsKeepTheTagsInStep()
    {
        using var shadow = new ShadowMemory(new OriginMemory());
        shadow.MakeUndefined(Base, 16, Heap);
        shadow.MakeDefined(Base, 4);
        shadow.MakeNoAccess(Base + 12, 4);
        shadow.CopyRange(Base + 4, Base + 32, 8);
        Assert.That(shadow.Origins!.Load(Base, 4), Is.EqualTo(OriginTags.None), "made defined");
        Assert.That(shadow.Origins.Load(Base + 4, 8), Is.EqualTo(Heap), "still undefined");
        Assert.That(shadow.Origins.Load(Base + 12, 4), Is.EqualTo(OriginTags.None), "made noaccess");
        Assert.That(shadow.Origins.Load(Base + 32, 8), Is.EqualTo(OriginTags.None), "a copy of V bits copies no origins");
    }
}
