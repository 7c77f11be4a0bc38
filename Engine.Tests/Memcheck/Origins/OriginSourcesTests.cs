using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tests.MemcheckTool.Origins;

/// <summary>Origin tags name contexts numbered as they are made, with the kind in the low bits, as memcheck's otags.</summary>
public class OriginSourcesTests
{
    private readonly StackStore _stacks = new();
    private OriginSources _sources = null!;

    [SetUp]
    public void Create() => _sources = new OriginSources(_stacks, address => [new StackFrame(address, "f", "f.c", 3, null)]);

    private int StackAt(ulong address) => _stacks.Add(new StackTrace([new StackFrame(address, "malloc", null, 0, "preload.so")]));

    [Test]
    public void ALaterContextHasTheLargerTag()
    {
        uint first = _sources.Heap(StackAt(0x1000));
        uint second = _sources.Stack(0x2000);
        uint third = _sources.Heap(StackAt(0x3000));
        Assert.That(first, Is.LessThan(second));
        Assert.That(second, Is.LessThan(third));
    }

    [Test]
    public void TheSameStackOrAddressIsTheSameContext()
    {
        Assert.That(_sources.Heap(StackAt(0x1000)), Is.EqualTo(_sources.Heap(StackAt(0x1000))));
        Assert.That(_sources.Stack(0x2000), Is.EqualTo(_sources.Stack(0x2000)));
    }

    [Test]
    public void ATagCarriesItsKindInTheLowBits()
    {
        int stack = StackAt(0x1000);
        Assert.That(OriginTags.KindOf(_sources.Heap(stack)), Is.EqualTo(OriginKind.Heap));
        Assert.That(OriginTags.KindOf(_sources.Unknown(stack)), Is.EqualTo(OriginKind.Unknown));
        Assert.That(OriginTags.KindOf(_sources.Stack(0x2000)), Is.EqualTo(OriginKind.Stack));
        Assert.That(OriginTags.KindOf(_sources.ClientRequest(stack)), Is.EqualTo(OriginKind.ClientRequest));
        Assert.That(_sources.Heap(stack) >> 2, Is.EqualTo(_sources.Unknown(stack) >> 2), "one context, two kinds");
    }

    /// <summary>The lines a tag's origin adds under an error.</summary>
    private IEnumerable<string> Shown(uint tag) => ErrorReport.AuxText(_sources.Describe(tag)!.Details());

    [Test]
    public void AHeapOriginShowsTheAllocationStack() =>
        Assert.That(Shown(_sources.Heap(StackAt(0x4848899))), Is.EqualTo(new[]
        {
            " Uninitialised value was created by a heap allocation",
            "   at 0x4848899: malloc (in preload.so)",
        }));

    [Test]
    public void AStackOriginShowsTheOneCodeAddress() =>
        Assert.That(Shown(_sources.Stack(0x10916C)), Is.EqualTo(new[]
        {
            " Uninitialised value was created by a stack allocation",
            "   at 0x10916C: f (f.c:3)",
        }));

    [Test]
    public void AClientRequestOriginShowsTheRequestsStack() =>
        Assert.That(Shown(_sources.ClientRequest(StackAt(0x1093CF))), Is.EqualTo(new[]
        {
            " Uninitialised value was created by a client request",
            "   at 0x1093CF: malloc (in preload.so)",
        }));

    [Test]
    public void AnUnknownOriginSaysOnlyThatTheValueWasCreated() =>
        Assert.That(_sources.Describe(_sources.Unknown(StackAt(0x1000)))!.Details().Text,
            Is.EqualTo("Uninitialised value was created"));

    [Test]
    public void NoTagDescribesNothing() => Assert.That(_sources.Describe(OriginTags.None), Is.Null);
}
