namespace Memcheck.Engine.Tests.MemcheckTool.Strings;

/// <summary>
/// Overlap reports as Valgrind 3.19 makes them (checked against it on small fixtures): which functions check, over
/// which bytes, and how the arguments print.
/// </summary>
public class StringsOverlapTests
{
    private FakeStringHost _host = null!;
    private ulong _s;

    [SetUp]
    public void Create()
    {
        _host = new FakeStringHost();
        _s = _host.Block("hello world\0" + new string('\0', 52));
    }

    [TearDown]
    public void Dispose() => _host.Dispose();

    private string Overlap(string function, ulong dst, ulong src) =>
        $"Source and destination overlap in {function}(0x{_s + dst:x}, 0x{_s + src:x})";

    private string Overlap(string function, ulong dst, ulong src, ulong length) =>
        $"Source and destination overlap in {function}(0x{_s + dst:x}, 0x{_s + src:x}, {length})";

    // "memcpy" itself runs Valgrind's memmove on the guest's CPU (see StringsTable); glibc's internal alias checks.
    [Test]
    public void MemcpyPrintsDestinationSourceAndLength()
    {
        _host.Call("__GI_memcpy", _s + 4, _s, 8);
        Assert.That(_host.Texts, Is.EqualTo(new[] { Overlap("memcpy", 4, 0, 8) }));
        Assert.That(_host.Bytes(_s, 12), Is.EqualTo("hellhello wo"u8.ToArray()));
    }

    [Test]
    public void MemcpyOfNothingOrOfAdjacentRangesIsNoOverlap()
    {
        _host.Call("__GI_memcpy", _s + 4, _s, 0);
        _host.Call("__GI_memcpy", _s + 8, _s, 8);
        _host.Call("__GI_memcpy", _s, _s + 8, 8);
        Assert.That(_host.Texts, Is.Empty);
    }

    [TestCase("memmove")]
    [TestCase("__memmove_chk")]
    [TestCase("memcpy")]
    public void MemmoveDoesNotCheck(string function)
    {
        _host.Call(function, _s + 4, _s, 8, 64);
        Assert.That(_host.Texts, Is.Empty);
    }

    [Test]
    public void BcopyDoesNotCheck()
    {
        _host.Call("bcopy", _s, _s + 4, 8);
        Assert.That(_host.Texts, Is.Empty);
    }

    [Test]
    public void MempcpyAndMemcpyChkPrintTheirOwnNames()
    {
        _host.Call("mempcpy", _s + 2, _s, 5);
        _host.Call("__memcpy_chk", _s + 2, _s, 20, 30);
        Assert.That(_host.Texts, Is.EqualTo(new[] { Overlap("mempcpy", 2, 0, 5), Overlap("memcpy_chk", 2, 0, 20) }));
    }

    [TestCase("strcpy")]
    [TestCase("stpcpy")]
    public void StrcpyPrintsOnlyDestinationAndSource(string function)
    {
        _host.Call(function, _s + 2, _s + 4);
        Assert.That(_host.Texts, Is.EqualTo(new[] { Overlap(function, 2, 4) }));
        Assert.That(_host.Bytes(_s, 10), Is.EqualTo("heo world\0"u8.ToArray()));
    }

    [Test]
    public void StrcpyChecksOnlyTheBytesCopied()
    {
        _host.Call("strcpy", _s + 12, _s);
        _host.Call("strcpy", _s + 4, _s + 8);
        Assert.That(_host.Texts, Is.Empty);
    }

    [Test]
    public void StrcpyChkDoesNotCheck()
    {
        _host.Call("__strcpy_chk", _s + 2, _s + 4, 60);
        _host.Call("__stpcpy_chk", _s + 2, _s + 4, 60);
        Assert.That(_host.Texts, Is.Empty);
    }

    [TestCase("strncpy")]
    [TestCase("stpncpy")]
    public void StrncpyPrintsTheCountAndChecksTheWholeDestination(string function)
    {
        _host.Call(function, _s + 2, _s, 5);
        Assert.That(_host.Texts, Is.EqualTo(new[] { Overlap(function, 2, 0, 5) }));
    }

    [Test]
    public void StrncpyOverlapsThroughItsPadding()
    {
        _host.Call("strncpy", _s + 2, _s + 4, 50);
        Assert.That(_host.Texts, Is.EqualTo(new[] { Overlap("strncpy", 2, 4, 50) }));
    }

    [Test]
    public void StrncpyChecksOnlyTheSourceBytesRead()
    {
        _host.Call("strncpy", _s + 20, _s, 30);
        _host.Call("strncpy", _s + 2, _s, 0);
        Assert.That(_host.Texts, Is.Empty);
    }

    [Test]
    public void StrcatChecksTheJoinedString()
    {
        ulong d = _host.Block("ab\0\0xy\0");
        _host.Call("strcat", d, d + 4);
        Assert.That(_host.Texts, Is.EqualTo(new[] { $"Source and destination overlap in strcat(0x{d:x}, 0x{d + 4:x})" }));
        Assert.That(_host.Bytes(d, 5), Is.EqualTo("abxy\0"u8.ToArray()));
    }

    [Test]
    public void StrncatPrintsTheCountUnlessItIsZero()
    {
        _host.Call("strncat", _s, _s + 6, 3);
        Assert.That(_host.Texts, Is.EqualTo(new[] { Overlap("strncat", 0, 6, 3) }));
        _host.Reports.Clear();
        _s = _host.Block("hello world\0");
        _host.Call("strncat", _s, _s + 6, 0);
        Assert.That(_host.Texts, Is.EqualTo(new[] { Overlap("strncat", 0, 6) }));
    }

    [Test]
    public void WcscpyPrintsOnlyDestinationAndSource()
    {
        ulong w = _host.Block("h\0\0\0e\0\0\0l\0\0\0l\0\0\0o\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"u8);
        _host.Call("wcscpy", w + 4, w + 12);
        Assert.That(_host.Texts, Is.EqualTo(new[] { $"Source and destination overlap in wcscpy(0x{w + 4:x}, 0x{w + 12:x})" }));
    }
}
