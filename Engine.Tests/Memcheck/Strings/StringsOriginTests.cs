using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tests.MemcheckTool.Strings;

/// <summary>
/// With origins tracked the replacements carry origin tags as Valgrind's replacements, guest code, do: copies move
/// them, and a decision on undefined bytes names their origin.
/// </summary>
public class StringsOriginTests
{
    private const uint Heap = 4 | 1, Later = 8 | 1;
    private FakeStringHost _host = null!;

    [SetUp]
    public void Create() => _host = new FakeStringHost(trackOrigins: true);

    [TearDown]
    public void Dispose() => _host.Dispose();

    private OriginMemory Origins => _host.Shadow.Origins!;

    [Test]
    public void StrlenNamesTheOriginOfTheUndefinedByteItDecidesOn()
    {
        ulong s = _host.Block("ab\0\0");
        _host.Shadow.MakeUndefined(s + 2, 1, Heap);
        _host.Call("strlen", s);
        Assert.That(_host.Origins, Is.EqualTo(new[] { Heap }));
    }

    [Test]
    public void StrcmpNamesTheLargerOriginOfTheTwoBytesCompared()
    {
        ulong a = _host.Block("x\0");
        ulong b = _host.Block("x\0");
        _host.Shadow.MakeUndefined(a, 1, Heap);
        _host.Shadow.MakeUndefined(b, 1, Later);
        _host.Call("strcmp", a, b);
        Assert.That(_host.Origins, Has.All.EqualTo(Later));
    }

    [Test]
    public void MemcpyCarriesTheOriginsOfUndefinedBytes()
    {
        ulong source = _host.Block(new byte[32]);
        ulong destination = _host.Zeroed(32);
        _host.Shadow.MakeUndefined(source + 8, 8, Heap);
        _host.Call("memcpy", destination, source, 32);
        Assert.That(Origins.Load(destination + 8, 8), Is.EqualTo(Heap));
        Assert.That(Origins.Load(destination, 8), Is.EqualTo(OriginTags.None));
    }

    [Test]
    public void MemcpyOfDefinedBytesLeavesTheDestinationWithoutOrigins()
    {
        ulong source = _host.Block(new byte[32]);
        ulong destination = _host.Zeroed(32);
        _host.Shadow.MakeUndefined(destination, 32, Heap);
        _host.Call("memcpy", destination, source, 32);
        Assert.That(Origins.Load(destination, 32), Is.EqualTo(OriginTags.None));
    }
}
