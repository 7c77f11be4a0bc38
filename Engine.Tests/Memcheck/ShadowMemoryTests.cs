using Memcheck.Engine.Ir;
using Memcheck.Engine.Tools.Memcheck;

// Not "...Tests.Memcheck": that namespace would hide the root "Memcheck" from every other test file.
namespace Memcheck.Engine.Tests.MemcheckTool;

public class ShadowMemoryTests
{
    private const ulong Base = 0x10_0000_0000;
    private ShadowMemory _shadow = null!;

    [SetUp]
    public void Create() => _shadow = new ShadowMemory();

    [TearDown]
    public void Dispose() => _shadow.Dispose();

    [Test]
    public void UntouchedMemoryIsNoAccessWithoutAllocatingSecondaries()
    {
        Assert.That(_shadow.Get(Base), Is.EqualTo(VaBits.NoAccess));
        Assert.That(_shadow.CheckAddressable(Base, 16), Is.EqualTo(Base));
        Assert.That(_shadow.OwnSecondaryCount, Is.Zero);
    }

    [TestCase(VaBits.NoAccess)]
    [TestCase(VaBits.Undefined)]
    [TestCase(VaBits.Defined)]
    public void WholeChunksShareTheDistinguishedSecondary(VaBits state)
    {
        _shadow.MakeDefined(Base, 3 * ShadowMemory.ChunkSize);
        Make(state, Base, 2 * ShadowMemory.ChunkSize);
        Assert.That(_shadow.OwnSecondaryCount, Is.Zero);
        Assert.That(_shadow.Get(Base + 5), Is.EqualTo(state));
        Assert.That(_shadow.Get(Base + 2 * ShadowMemory.ChunkSize), Is.EqualTo(VaBits.Defined));
    }

    [Test]
    public void WritingIntoADistinguishedSecondaryCopiesIt()
    {
        _shadow.MakeDefined(Base, ShadowMemory.ChunkSize);
        _shadow.MakeUndefined(Base + 100, 3);
        Assert.That(_shadow.OwnSecondaryCount, Is.EqualTo(1));
        Assert.That(_shadow.Get(Base + 99), Is.EqualTo(VaBits.Defined));
        Assert.That(_shadow.Get(Base + 100), Is.EqualTo(VaBits.Undefined));
        Assert.That(_shadow.Get(Base + 103), Is.EqualTo(VaBits.Defined));
        Assert.That(_shadow.Get(Base + ShadowMemory.ChunkSize + 100), Is.EqualTo(VaBits.NoAccess), "the distinguished secondary itself is unchanged");
        _shadow.MakeDefined(Base, ShadowMemory.ChunkSize);
        Assert.That(_shadow.OwnSecondaryCount, Is.Zero, "a whole chunk made uniform goes back to the distinguished secondary");
    }

    [Test]
    public unsafe void DistinguishedSecondariesHoldTheirEncodings()
    {
        Assert.That(*(ushort*)_shadow.DefinedSecondary, Is.EqualTo(0xAAAA));
        Assert.That(*(ushort*)_shadow.UndefinedSecondary, Is.EqualTo(0x5555));
        Assert.That(*(ushort*)_shadow.NoAccessSecondary, Is.EqualTo(0));
    }

    [Test]
    public unsafe void PrimaryLayoutIndexesTheSecondaryByte()
    {
        ulong a = Base + 0x1238;
        _shadow.MakeDefined(a, 4);
        _shadow.MakeUndefined(a + 4, 4);
        byte*** primary = (byte***)_shadow.Primary;
        byte* sec = primary[a >> ShadowMemory.PrimaryShift][(a >> ShadowMemory.ChunkShift) & (ShadowMemory.MiddleEntries - 1)];
        Assert.That(*(ushort*)(sec + ((a & 0xFFFF) >> 2)), Is.EqualTo(0x55AA));
    }

    [Test]
    public void RangeEdgesAreExact()
    {
        _shadow.MakeDefined(Base + 3, 10);
        Assert.That(_shadow.Get(Base + 2), Is.EqualTo(VaBits.NoAccess));
        Assert.That(_shadow.Get(Base + 3), Is.EqualTo(VaBits.Defined));
        Assert.That(_shadow.Get(Base + 12), Is.EqualTo(VaBits.Defined));
        Assert.That(_shadow.Get(Base + 13), Is.EqualTo(VaBits.NoAccess));
        Assert.That(_shadow.CheckAddressable(Base + 3, 10), Is.Null);
        Assert.That(_shadow.CheckAddressable(Base + 3, 11), Is.EqualTo(Base + 13));
    }

    [Test]
    public void RangesAcrossChunksAreExact()
    {
        ulong start = Base + ShadowMemory.ChunkSize - 5;
        _shadow.MakeUndefined(start, 2 * ShadowMemory.ChunkSize + 10);
        Assert.That(_shadow.Get(start - 1), Is.EqualTo(VaBits.NoAccess));
        Assert.That(_shadow.Get(start), Is.EqualTo(VaBits.Undefined));
        Assert.That(_shadow.Get(start + 2 * ShadowMemory.ChunkSize + 9), Is.EqualTo(VaBits.Undefined));
        Assert.That(_shadow.Get(start + 2 * ShadowMemory.ChunkSize + 10), Is.EqualTo(VaBits.NoAccess));
        Assert.That(_shadow.OwnSecondaryCount, Is.EqualTo(2), "the middle chunk is the distinguished undefined secondary");
    }

    [Test]
    public void CheckDefinedReportsFirstUndefinedOrNoAccessByte()
    {
        _shadow.MakeDefined(Base, 8);
        _shadow.MakeUndefined(Base + 8, 8);
        Assert.That(_shadow.CheckDefined(Base, 8, out _), Is.Null);
        Assert.That(_shadow.CheckDefined(Base, 12, out bool unaddressable), Is.EqualTo(Base + 8));
        Assert.That(unaddressable, Is.False);
        _shadow.MakeDefined(Base + 8, 8);
        Assert.That(_shadow.CheckDefined(Base + 4, 16, out unaddressable), Is.EqualTo(Base + 16));
        Assert.That(unaddressable, Is.True);
    }

    [Test]
    public void PartlyDefinedBytesKeepTheirVBits()
    {
        _shadow.MakeUndefined(Base, 16);
        Assert.That(_shadow.SetVBits(Base + 1, 2, 0x0F00), Is.True);
        Assert.That(_shadow.Get(Base + 1), Is.EqualTo(VaBits.Defined));
        Assert.That(_shadow.Get(Base + 2), Is.EqualTo(VaBits.PartDefined));
        Assert.That(_shadow.GetVBits(Base, 4, out bool ok), Is.EqualTo(0xFF0F00FFUL));
        Assert.That(ok, Is.True);
        Assert.That(_shadow.CheckDefined(Base + 1, 4, out _), Is.EqualTo(Base + 2), "partly defined counts as undefined");
        _shadow.MakeDefined(Base, 16);
        Assert.That(_shadow.GetVBits(Base, 4, out _), Is.Zero);
        _shadow.MakeUndefined(Base + 2, 1);
        Assert.That(_shadow.GetVBits(Base + 2, 1, out _), Is.EqualTo(0xFFUL), "the old partial V bits are gone");
    }

    [Test]
    public void ARangeSetManyBytesAtATimeCoversExactlyItsBytes()
    {
        _shadow.MakeUndefined(Base, 256);
        _shadow.SetVBits(Base + 70, 1, 0x0F);
        _shadow.MakeDefined(Base + 4, 200);
        Assert.That(_shadow.GetVBits(Base + 70, 1, out _), Is.Zero, "a partly defined byte inside");
        Assert.That((_shadow.Get(Base + 3), _shadow.Get(Base + 4)), Is.EqualTo((VaBits.Undefined, VaBits.Defined)));
        Assert.That((_shadow.Get(Base + 203), _shadow.Get(Base + 204)), Is.EqualTo((VaBits.Defined, VaBits.Undefined)));
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    [TestCase(8)]
    public void VBitsRoundTripAtEverySizeAndAlignment(int size)
    {
        ulong pattern = 0x00FF_F00F_8001_7EFFUL & (size == 8 ? ulong.MaxValue : (1UL << (8 * size)) - 1);
        for (ulong offset = 0; offset < 8; offset++)
        {
            _shadow.MakeDefined(Base, 32);
            Assert.That(_shadow.SetVBits(Base + offset, size, pattern), Is.True);
            Assert.That(_shadow.GetVBits(Base + offset, size, out bool ok), Is.EqualTo(pattern), $"offset {offset}");
            Assert.That(ok, Is.True);
            Assert.That(_shadow.CheckDefined(Base, offset, out _), Is.Null, "bytes before are untouched");
        }
    }

    [Test]
    public void SixteenByteAccessesUseBothHalves()
    {
        _shadow.MakeDefined(Base, 32);
        Assert.That(_shadow.SetVBits128(Base + 4, new Value128(0xFF, 0x0FUL << 56)), Is.True);
        Assert.That(_shadow.GetVBits128(Base + 4, out bool ok), Is.EqualTo(new Value128(0xFF, 0x0FUL << 56)));
        Assert.That(ok, Is.True);
        Assert.That(_shadow.Get(Base + 4), Is.EqualTo(VaBits.Undefined));
        Assert.That(_shadow.Get(Base + 4 + 15), Is.EqualTo(VaBits.PartDefined));
    }

    [Test]
    public void AlignedEightByteFastPathsAgreeWithTheSlowPath()
    {
        _shadow.MakeDefined(Base, 8);
        _shadow.MakeUndefined(Base + 8, 8);
        Assert.That(_shadow.GetVBits(Base, 8, out _), Is.Zero);
        Assert.That(_shadow.GetVBits(Base + 8, 8, out _), Is.EqualTo(ulong.MaxValue));
        Assert.That(_shadow.SetVBits(Base, 8, ulong.MaxValue), Is.True);
        Assert.That(_shadow.Get(Base + 7), Is.EqualTo(VaBits.Undefined));
        Assert.That(_shadow.SetVBits(Base + 8, 8, 0), Is.True);
        Assert.That(_shadow.CheckDefined(Base + 8, 8, out _), Is.Null);
    }

    [Test]
    public void StoresToNoAccessBytesLeaveThemNoAccess()
    {
        _shadow.MakeDefined(Base, 6);
        Assert.That(_shadow.SetVBits(Base, 8, 0), Is.False);
        Assert.That(_shadow.Get(Base + 6), Is.EqualTo(VaBits.NoAccess));
        Assert.That(_shadow.SetVBits(Base + 16, 8, 0), Is.False);
        Assert.That(_shadow.Get(Base + 16), Is.EqualTo(VaBits.NoAccess));
    }

    [Test]
    public void LoadsOfNoAccessBytesReadAsDefined()
    {
        _shadow.MakeUndefined(Base, 4);
        Assert.That(_shadow.GetVBits(Base, 8, out bool ok), Is.EqualTo(0xFFFFFFFFUL));
        Assert.That(ok, Is.False);
    }

    [Test]
    public void CopyRangeMovesAccessAndValidityIncludingPartialBytes()
    {
        _shadow.MakeDefined(Base, 4);
        _shadow.MakeUndefined(Base + 4, 4);
        _shadow.MakeDefined(Base + 0x100, 16);
        _shadow.SetVBits(Base + 1, 1, 0x3C);
        _shadow.CopyRange(Base, Base + 0x100, 10);
        Assert.That(_shadow.GetVBits(Base + 0x100, 8, out _), Is.EqualTo(0xFFFF_FFFF_0000_3C00UL));
        Assert.That(_shadow.Get(Base + 0x108), Is.EqualTo(VaBits.NoAccess), "noaccess is copied too");
        Assert.That(_shadow.Get(Base + 0x10A), Is.EqualTo(VaBits.Defined));
    }

    [Test]
    public void CopyRangeHandlesOverlapInBothDirections()
    {
        _shadow.MakeDefined(Base, 32);
        for (ulong i = 0; i < 8; i++)
            _shadow.SetVBits(Base + 8 + i, 1, i + 1);
        _shadow.CopyRange(Base + 8, Base + 10, 8);
        for (ulong i = 0; i < 8; i++)
            Assert.That(_shadow.GetVBits(Base + 10 + i, 1, out _), Is.EqualTo(i + 1), "forward overlap");
        _shadow.CopyRange(Base + 10, Base + 7, 8);
        for (ulong i = 0; i < 8; i++)
            Assert.That(_shadow.GetVBits(Base + 7 + i, 1, out _), Is.EqualTo(i + 1), "backward overlap");
    }

    [Test]
    public void AddressesBeyondTheUserSpaceAreNoAccess()
    {
        _shadow.MakeDefined(ShadowMemory.AddressLimit - 2, 8);
        Assert.That(_shadow.Get(ShadowMemory.AddressLimit - 1), Is.EqualTo(VaBits.Defined));
        Assert.That(_shadow.Get(ShadowMemory.AddressLimit), Is.EqualTo(VaBits.NoAccess));
        Assert.That(_shadow.Get(ulong.MaxValue), Is.EqualTo(VaBits.NoAccess));
    }

    [Test]
    public void RangeChecksSkipUniformChunksAndStillFindTheFirstBadByte()
    {
        _shadow.MakeDefined(Base, 3 * ShadowMemory.ChunkSize);
        _shadow.MakeUndefined(Base + 2 * ShadowMemory.ChunkSize + 7, 1);
        Assert.That(_shadow.CheckAddressable(Base, 3 * ShadowMemory.ChunkSize), Is.Null);
        Assert.That(_shadow.CheckDefined(Base, 3 * ShadowMemory.ChunkSize, out _), Is.EqualTo(Base + 2 * ShadowMemory.ChunkSize + 7));
        Assert.That(_shadow.CheckAddressable(Base + 5, 3 * ShadowMemory.ChunkSize), Is.EqualTo(Base + 3 * ShadowMemory.ChunkSize));
        Assert.That(_shadow.CheckAddressable(ShadowMemory.AddressLimit - 4, 8), Is.EqualTo(ShadowMemory.AddressLimit - 4));
    }

    private void Make(VaBits state, ulong start, ulong length)
    {
        switch (state)
        {
            case VaBits.NoAccess: _shadow.MakeNoAccess(start, length); break;
            case VaBits.Undefined: _shadow.MakeUndefined(start, length); break;
            default: _shadow.MakeDefined(start, length); break;
        }
    }

    [Test]
    public void RangeChecksFindTheFirstNoAccessOrNotDefinedByteAsAByteByByteScanDoes()
    {
        var random = new Random(7);
        ulong window = Base + ShadowMemory.ChunkSize - 256; // the last 256 bytes of a chunk and the first of the next
        for (int round = 0; round < 400; round++)
        {
            _shadow.MakeDefined(window, 512);
            for (int k = random.Next(4); k > 0; k--)
            {
                ulong at = window + (ulong)random.Next(512);
                switch (random.Next(3))
                {
                    case 0: _shadow.MakeNoAccess(at, 1); break;
                    case 1: _shadow.MakeUndefined(at, (ulong)random.Next(1, 5)); break;
                    default: _shadow.SetVBits(at, 1, 0x10); break;
                }
            }
            ulong start = window + (ulong)random.Next(512), length = (ulong)random.Next(1, (int)(window + 512 - start) + 1);
            ulong? firstNoAccess = null, firstNotDefined = null;
            for (ulong a = start; a < start + length; a++)
            {
                var state = _shadow.Get(a);
                if (firstNoAccess == null && state == VaBits.NoAccess) firstNoAccess = a;
                if (firstNotDefined == null && state != VaBits.Defined) firstNotDefined = a;
            }
            string where = $"round {round}: [{start - window}, +{length})";
            Assert.That(_shadow.CheckAddressable(start, length), Is.EqualTo(firstNoAccess), where);
            Assert.That(_shadow.CheckDefined(start, length, out _), Is.EqualTo(firstNotDefined), where);
        }
    }
}
