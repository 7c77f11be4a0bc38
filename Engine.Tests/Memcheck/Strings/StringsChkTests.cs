namespace Memcheck.Engine.Tests.MemcheckTool.Strings;

/// <summary>The __*_chk replacements stop the guest as Valgrind's do when the destination is too small, before copying.</summary>
public class StringsChkTests
{
    private FakeStringHost _host = null!;

    [SetUp]
    public void Create() => _host = new FakeStringHost();

    [TearDown]
    public void Dispose() => _host.Dispose();

    [TestCase("__memcpy_chk", "memcpy_chk")]
    [TestCase("__memmove_chk", "memmove_chk")]
    public void MemoryCopyLongerThanTheDestinationStopsBeforeCopying(string symbol, string name)
    {
        ulong src = _host.Block("hello world, this is long"), dst = _host.Zeroed(32);
        Assert.That(_host.Call(symbol, dst, src, 20, 10), Is.Zero);
        Assert.That(_host.Texts, Is.EqualTo(new[] { $"*** {name}: buffer overflow detected ***: program terminated" }));
        Assert.That(_host.Bytes(dst, 32), Is.All.Zero);
    }

    [TestCase("__memcpy_chk")]
    [TestCase("__memmove_chk")]
    public void MemoryCopyThatFitsExactlyCopies(string symbol)
    {
        ulong src = _host.Block("hello world"), dst = _host.Zeroed(16);
        Assert.That(_host.Call(symbol, dst, src, 11, 11), Is.EqualTo(dst));
        Assert.That(_host.Bytes(dst, 11), Is.EqualTo("hello world"u8.ToArray()));
        Assert.That(_host.Texts, Is.Empty);
    }

    [TestCase("__strcpy_chk", "strcpy_chk")]
    [TestCase("__stpcpy_chk", "stpcpy_chk")]
    public void StringWhoseTerminatorDoesNotFitStops(string symbol, string name)
    {
        ulong src = _host.Block("0123456789\0"), dst = _host.Zeroed(16);
        Assert.That(_host.Call(symbol, dst, src, 10), Is.Zero);
        Assert.That(_host.Texts, Is.EqualTo(new[] { $"*** {name}: buffer overflow detected ***: program terminated" }));
    }

    [Test]
    public void StringThatFitsWithItsTerminatorIsCopied()
    {
        ulong src = _host.Block("012345678\0"), dst = _host.Zeroed(16);
        Assert.That(_host.Call("__strcpy_chk", dst, src, 10), Is.EqualTo(dst));
        Assert.That(_host.Call("__stpcpy_chk", dst, src, 10), Is.EqualTo(dst + 9));
        Assert.That(_host.Bytes(dst, 10), Is.EqualTo("012345678\0"u8.ToArray()));
        Assert.That(_host.Texts, Is.Empty);
    }

    [Test]
    public void ZeroSizedDestinationStopsAStringCopy()
    {
        ulong src = _host.Block("\0"), dst = _host.Zeroed(16);
        _host.Call("__strcpy_chk", dst, src, 0);
        Assert.That(_host.Texts, Is.EqualTo(new[] { "*** strcpy_chk: buffer overflow detected ***: program terminated" }));
    }
}
