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
    public void SuppressedErrorsAndLossRecordsComeWithTheSuppressionThatHidThem()
    {
        string suppressions = Path.Combine(FixtureCompiler.FixturesDirectory, "suppressions");
        var log = new StringWriter();
        var options = new SessionOptions
        {
            Program = FixtureCompiler.Compile("suppressions/many_kinds.c", "-g", "-O0"),
            Suppressions = [Path.Combine(suppressions, "kinds.supp"), Path.Combine(suppressions, "leaks.supp")],
            Memcheck = new MemcheckOptions { LeakCheck = LeakCheck.Full },
        };
        var report = Session.Run(options, log).Memcheck ?? throw new AssertionException("no memcheck report");

        Assert.That(report.Errors.Select(e => e.Error.Kind),
            Is.EqualTo(new[] { MemcheckErrorKind.InvalidWrite, MemcheckErrorKind.UninitialisedValue }), log.ToString());
        var hidden = report.SuppressedErrors.ToDictionary(e => e.Error.Kind, e => e.SuppressedBy!.Name);
        Assert.That(hidden[MemcheckErrorKind.InvalidRead], Is.EqualTo("read past, by a wildcard"));
        Assert.That(hidden[MemcheckErrorKind.UninitialisedSyscallParam], Is.EqualTo("half-written buffer"));
        Assert.That(report.SuppressedErrors.Single(e => e.Error.Kind == MemcheckErrorKind.FishyValue).Error.Parameter, Is.EqualTo("malloc(size)"));
        Assert.That(report.LossRecords.Where(r => r.SuppressedBy is not null).Select(r => (r.Record.State, r.SuppressedBy!.Name)), Is.EquivalentTo(new[]
        {
            (LeakState.StillReachable, "kept list"), (LeakState.IndirectlyLost, "lost list"), (LeakState.DefinitelyLost, "lost list"),
        }));
        Assert.That(report.Leaks!.Suppressed, Is.EqualTo(new ByteBlockCount(80, 5)));
        Assert.That((report.SuppressedErrorCount, report.SuppressedContextCount), Is.EqualTo((7, 7)), "six errors and the definite leak");
        Assert.That(report.UsedSuppressions[0].Suppression.Name, Is.EqualTo("lost list"), "matched last, listed first");
        Assert.That(report.UsedSuppressions[0].Count, Is.EqualTo(2));
    }

    [Test]
    public void XmlGoesToTheWriterGivenAndTheCommentaryStaysEmpty()
    {
        var log = new StringWriter();
        var xml = new StringWriter();
        var options = new SessionOptions { Program = FixtureCompiler.Compile("memcheck/heap_overflow_read.c", "-g", "-O0"), Xml = true };
        Session.Run(options, log, xml);
        Assert.That(log.ToString(), Is.Empty);
        Assert.That(xml.ToString(), Does.StartWith("<?xml version=\"1.0\"?>").And.Contain("<kind>InvalidRead</kind>")
            .And.EndWith("</valgrindoutput>\n\n"));
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
