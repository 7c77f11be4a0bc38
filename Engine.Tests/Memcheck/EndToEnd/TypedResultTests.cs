using Memcheck.Engine.Tests.Support;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Errors;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tests.MemcheckTool.EndToEnd;

/// <summary>A .NET caller gets memcheck's findings as records, the same ones the text report is written from.</summary>
[Category("Slow")]
public class TypedResultTests
{
    private static (RunResult Result, string Log) Run(string fixture, LeakCheck leakCheck = LeakCheck.Full, bool trackOrigins = false)
    {
        var log = new StringWriter();
        var options = new SessionOptions
        {
            Program = FixtureCompiler.Compile(fixture, "-g", "-O0"),
            Memcheck = new MemcheckOptions { LeakCheck = leakCheck, TrackOrigins = trackOrigins },
        };
        return (Session.Run(options, log), log.ToString());
    }

    [Test]
    public void InvalidWriteComesWithItsStackAndAddressDescription()
    {
        var (result, log) = Run("memcheck/heap_overflow_write.c");
        var report = result.Memcheck ?? throw new AssertionException("no memcheck report");
        Assert.That(report.Errors, Has.Count.EqualTo(1), log);
        ReportedError error = report.Errors[0];
        Assert.That(error.Error.Kind, Is.EqualTo(MemcheckErrorKind.InvalidWrite));
        Assert.That(error.Error.Headline, Is.EqualTo("Invalid write of size 1"));
        Assert.That(error.Error.Stack.Frames[0].Function, Is.EqualTo("main"));
        Assert.That(error.Error.Address!.Lines[0], Does.EndWith("is 0 bytes after a block of size 16 alloc'd"));
        Assert.That(error.Error.Address.BlockStack!.Frames[0].Function, Is.EqualTo("malloc"));
        Assert.That(log, Does.Contain("Invalid write of size 1"));
    }

    [Test]
    public void AnUninitialisedValueComesWithWhereItWasCreated()
    {
        var (result, log) = Run("memcheck/uninit_heap.c", trackOrigins: true);
        MemcheckError error = result.Memcheck!.Errors.Single().Error;
        Assert.That(error.Kind, Is.EqualTo(MemcheckErrorKind.UninitialisedCondition), log);
        Assert.That(error.Origin!.Kind, Is.EqualTo(OriginKind.Heap));
        Assert.That(error.Origin.Stack.Frames.Select(f => f.Function).Take(2), Is.EqualTo(new[] { "malloc", "main" }));
    }

    [Test]
    public void WithoutOriginsAnUninitialisedValueHasNone()
    {
        var (result, log) = Run("memcheck/uninit_heap.c");
        Assert.That(result.Memcheck!.Errors.Single().Error.Origin, Is.Null, log);
    }

    [Test]
    public void LeaksComeAsSummaryAndLossRecords()
    {
        var (result, log) = Run("seeds/indirectly_lost.c");
        var report = result.Memcheck ?? throw new AssertionException("no memcheck report");
        Assert.That(report.Heap, Is.EqualTo(new HeapSummary(160, 10, 10, 0, 160)), log);
        Assert.That(report.Leaks!.DefinitelyLost, Is.EqualTo(new ByteBlockCount(16, 1)));
        Assert.That(report.Leaks.IndirectlyLost, Is.EqualTo(new ByteBlockCount(144, 9)));
        var definite = report.LossRecords.Single(r => r.Record.State == LeakState.DefinitelyLost);
        Assert.That(definite.Record.IndirectBytes, Is.EqualTo(144));
        Assert.That(definite.AllocStack.Frames[0].Function, Is.EqualTo("malloc"));
        Assert.That(report.ErrorCount, Is.EqualTo(1), "one definitely lost record counts as an error");
    }

    [Test]
    public void NoLeakCheckLeavesOnlyTheHeapSummary()
    {
        var (result, _) = Run("seeds/definitely_and_reachable.c", LeakCheck.No);
        Assert.That(result.Memcheck!.Leaks, Is.Null);
        Assert.That(result.Memcheck.LossRecords, Is.Empty);
        Assert.That(result.Memcheck.Heap.InUseBlocks, Is.EqualTo(3));
    }
}
