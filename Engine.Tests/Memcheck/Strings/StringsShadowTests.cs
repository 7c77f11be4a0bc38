using Memcheck.Engine.Tools.Memcheck;

namespace Memcheck.Engine.Tests.MemcheckTool.Strings;

/// <summary>
/// The replacements under memcheck's shadow: invalid accesses reported with the sizes Valgrind's replacements
/// report, decisions on undefined bytes reported, V bits carried by copies, and no touch of memory the guest
/// cannot access.
/// </summary>
public class StringsShadowTests
{
    private const string UninitialisedCondition = "Conditional jump or move depends on uninitialised value(s)";

    private FakeStringHost _host = null!;

    [SetUp]
    public void Create() => _host = new FakeStringHost();

    [TearDown]
    public void Dispose() => _host.Dispose();

    [Test]
    public void StrlenOfAnUnterminatedBlockReportsAOneByteReadJustPastIt()
    {
        ulong s = _host.Block("aaaaa");
        Assert.That(_host.Call("strlen", s), Is.EqualTo(5));
        Assert.That(_host.Texts, Is.EqualTo(new[] { $"Invalid read of size 1 at 0x{s + 5:x}" }));
    }

    [Test]
    public void StrlenRunningOffTheGuestsMemoryFaultsThere()
    {
        ulong s = _host.Block("aaaaa"u8, trailingOwned: false);
        Assert.That(_host.Call("strlen", s), Is.Zero);
        Assert.That(_host.Texts, Is.EqualTo(new[] { $"Invalid read of size 1 at 0x{s + 5:x}", $"SIGSEGV at 0x{s + 5:x}" }));
    }

    [Test]
    public void StrlenStoppingOnAnUndefinedZeroReportsOneConditionalJump()
    {
        ulong s = _host.Block("a\0\0\0\0");
        _host.Shadow.MakeUndefined(s + 1, 3);
        Assert.That(_host.Call("strlen", s), Is.EqualTo(1));
        Assert.That(_host.Texts, Is.EqualTo(new[] { UninitialisedCondition }));
    }

    [Test]
    public void PartlyDefinedBytesAreUndefinedForADecision()
    {
        ulong s = _host.Block("ab\0");
        _host.Shadow.SetVBits(s + 1, 1, 0x01);
        Assert.That(_host.Call("strlen", s), Is.EqualTo(2));
        Assert.That(_host.Texts, Is.EqualTo(new[] { UninitialisedCondition }));
    }

    [Test]
    public void MemchrReportsEveryUndefinedByteItTestsFromOneSite()
    {
        ulong s = _host.Block("a\0\0\0\0");
        _host.Shadow.MakeUndefined(s + 1, 3);
        Assert.That(_host.Call("memchr", s, 'z', 5), Is.Zero);
        Assert.That(_host.Texts, Is.EqualTo(Enumerable.Repeat(UninitialisedCondition, 3)));
        Assert.That(_host.Reports.Select(r => r.Site).Distinct().Count(), Is.EqualTo(1));
    }

    [Test]
    public void StrcmpReportsItsEqualityTestAndItsOrderingAsTwoSites()
    {
        ulong u = _host.Block("a\0\0\0\0"), v = _host.Block("aaaa\0");
        _host.Shadow.MakeUndefined(u + 1, 3);
        Assert.That((int)_host.Call("strcmp", u, v), Is.EqualTo(-1));
        Assert.That(_host.Texts, Is.EqualTo(new[] { UninitialisedCondition, UninitialisedCondition }));
        Assert.That(_host.Reports[0].Site, Is.Not.EqualTo(_host.Reports[1].Site));
    }

    [Test]
    public void StrchrReportsItsMatchTestAndItsEndTestAsTwoSites()
    {
        ulong u = _host.Block("a\0\0");
        _host.Shadow.MakeUndefined(u + 1, 1);
        Assert.That(_host.Call("strchr", u, 'z'), Is.Zero);
        Assert.That(_host.Texts, Is.EqualTo(new[] { UninitialisedCondition, UninitialisedCondition }));
        Assert.That(_host.Reports[0].Site, Is.Not.EqualTo(_host.Reports[1].Site));
    }

    [Test]
    public void MemcpyCopiesDefinedUndefinedAndPartlyDefinedBytesExactly()
    {
        foreach (bool throughRedzone in new[] { false, true })
        {
            ulong src = _host.Block("abcdefgh"), dst = _host.Zeroed(16);
            _host.Shadow.MakeUndefined(src + 2, 2);
            _host.Shadow.SetVBits(src + 5, 1, 0x0F);
            ulong length = throughRedzone ? 10UL : 8UL;
            _host.Call("memcpy", dst + 1, src, length);
            for (ulong i = 0; i < 8; i++)
            {
                Assert.That(_host.Shadow.GetVBits(dst + 1 + i, 1, out _), Is.EqualTo(_host.Shadow.GetVBits(src + i, 1, out _)), $"byte {i}");
                Assert.That(_host.Shadow.Get(dst + 1 + i), Is.EqualTo(_host.Shadow.Get(src + i)), $"byte {i}");
            }
            Assert.That(_host.Bytes(dst + 1, 8), Is.EqualTo("abcdefgh"u8.ToArray()));
        }
    }

    [Test]
    public void MemcpyPastASmallBlockReportsTheHalfwordLoadLikeValgrind()
    {
        ulong src = _host.Block("aaaaa"), dst = _host.Zeroed(16);
        _host.Call("memcpy", dst, src, 10);
        Assert.That(_host.Texts, Is.EqualTo(new[] { $"Invalid read of size 2 at 0x{src + 8:x}" }));
        // The word load was exempt (--partial-loads-ok): its noaccess bytes arrive undefined; the reported load's are defined.
        Assert.That(_host.Shadow.GetVBits(dst, 8, out _), Is.EqualTo(0xFFFFFF_0000000000UL));
        Assert.That(_host.Shadow.GetVBits(dst + 8, 2, out _), Is.Zero);
    }

    [Test]
    public void WithoutPartialLoadsOkTheWordLoadIsReportedToo()
    {
        _host.PartialLoadsOk = false;
        ulong src = _host.Block("aaaaa"), dst = _host.Zeroed(16);
        _host.Call("memmove", dst, src, 10);
        Assert.That(_host.Texts, Is.EqualTo(new[] { $"Invalid read of size 8 at 0x{src:x}", $"Invalid read of size 2 at 0x{src + 8:x}" }));
        Assert.That(_host.Shadow.GetVBits(dst, 8, out _), Is.Zero);
    }

    [Test]
    public void CopiesThroughARedzoneMoveTheSameBytesAsLibc()
    {
        byte[] content = Enumerable.Range(1, 13).Select(i => (byte)i).ToArray();
        ulong mine = _host.Block(content), theirs = _host.Block(content);
        // 13 bytes end at +13; the copy reads 7 redzone bytes and writes over the block's end.
        _host.Call("memmove", mine + 3, mine + 6, 14);
        HostLibc.Memmove(theirs + 3, theirs + 6, 14);
        Assert.That(_host.Bytes(mine, 24), Is.EqualTo(_host.Bytes(theirs, 24)));
        _host.Call("memmove", mine + 6, mine + 1, 14);
        HostLibc.Memmove(theirs + 6, theirs + 1, 14);
        Assert.That(_host.Bytes(mine, 24), Is.EqualTo(_host.Bytes(theirs, 24)));
        Assert.That(_host.Texts, Is.Not.Empty);
    }

    [Test]
    public void MemsetPastASmallBlockReportsAWordStoreThenByteStores()
    {
        ulong u = _host.Block("aaaaa");
        _host.Call("memset", u, 0, 10);
        Assert.That(_host.Texts, Is.EqualTo(new[]
        {
            $"Invalid write of size 8 at 0x{u:x}", $"Invalid write of size 1 at 0x{u + 8:x}", $"Invalid write of size 1 at 0x{u + 9:x}",
        }));
        Assert.That(_host.Shadow.CheckAddressable(u, 5), Is.Null);
        Assert.That(_host.Shadow.Get(u + 5), Is.EqualTo(VaBits.NoAccess));
    }

    [Test]
    public void MemsetMakesItsBytesDefined()
    {
        ulong u = _host.Zeroed(40);
        _host.Shadow.MakeUndefined(u, 40);
        _host.Call("memset", u + 3, 'x', 35);
        Assert.That(_host.Shadow.CheckDefined(u + 3, 35, out _), Is.Null);
        Assert.That(_host.Shadow.Get(u + 2), Is.EqualTo(VaBits.Undefined));
        Assert.That(_host.Bytes(u + 3, 35), Is.All.EqualTo((byte)'x'));
    }

    [Test]
    public void MemcmpOfAlignedWordsReportsTheWordTestThenTheFirstInvalidByte()
    {
        ulong t = _host.Block("aaaaaaaaaaaaaaa\0"), u = _host.Block("aaaaa");
        _host.Call("memcmp", t, u, 10);
        Assert.That(_host.Texts, Is.EqualTo(new[] { UninitialisedCondition, $"Invalid read of size 1 at 0x{u + 5:x}" }));
    }

    [Test]
    public void StrcpyCarriesVBitsAndWritesADefinedTerminator()
    {
        ulong src = _host.Block("abc\0"), dst = _host.Zeroed(8);
        _host.Shadow.MakeUndefined(dst, 8);
        _host.Shadow.SetVBits(src + 1, 1, 0x80);
        _host.Call("strcpy", dst, src);
        Assert.That(_host.Shadow.GetVBits(dst, 4, out _), Is.EqualTo(0x00_00_80_00UL));
        Assert.That(_host.Shadow.Get(dst + 4), Is.EqualTo(VaBits.Undefined));
        Assert.That(_host.Texts, Is.EqualTo(new[] { UninitialisedCondition }));
    }

    [Test]
    public void StrncpyPadsWithDefinedZeros()
    {
        ulong src = _host.Block("ab\0"), dst = _host.Block("zzzzzzzz");
        _host.Shadow.MakeUndefined(dst, 8);
        _host.Call("strncpy", dst, src, 6);
        Assert.That(_host.Bytes(dst, 8), Is.EqualTo("ab\0\0\0\0zz"u8.ToArray()));
        Assert.That(_host.Shadow.CheckDefined(dst, 6, out _), Is.Null);
        Assert.That(_host.Shadow.Get(dst + 6), Is.EqualTo(VaBits.Undefined));
    }

    [Test]
    public void CopyingIntoReadOnlyMemoryFaultsWithoutWriting()
    {
        ulong src = _host.Block("abc\0"), dst = _host.Block("xxxx"u8, writable: false);
        Assert.That(_host.Call("strcpy", dst, src), Is.Zero);
        Assert.That(_host.Texts, Is.EqualTo(new[] { $"SIGSEGV at 0x{dst:x}" }));
        Assert.That(_host.Bytes(dst, 4), Is.EqualTo("xxxx"u8.ToArray()));
        Assert.That(_host.Call("memcpy", dst, src, 4), Is.Zero);
        Assert.That(_host.Bytes(dst, 4), Is.EqualTo("xxxx"u8.ToArray()));
    }

    [Test]
    public void WideFunctionsReadWholeCharacters()
    {
        ulong s = _host.Block("a\0\0\0b\0\0\0"u8);
        Assert.That(_host.Call("wcslen", s), Is.EqualTo(2));
        Assert.That(_host.Texts, Is.EqualTo(new[] { $"Invalid read of size 4 at 0x{s + 8:x}" }));
    }
}
