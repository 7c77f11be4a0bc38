using Memcheck.Engine.Core;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Tests.Support;
using Memcheck.Engine.Tools.None;

namespace Memcheck.Engine.Tests.Core;

/// <summary>A program whose code does not fit the code cache runs to its end: a full cache is flushed and translation goes on.</summary>
[TestFixture, Category("Slow"), NonParallelizable]
public sealed unsafe class CodeCacheFullTests
{
    [Test]
    public void ADynamicProgramRunsToItsEndInACacheTooSmallForItsCode()
    {
        string program = FixtureCompiler.Compile("c/printf_numbers.c", "-O2");
        using var small = new CodeCache(256 << 10);
        var log = new StringWriter();
        using var machine = new GuestMachine(program, [program], ["LC_ALL=C"], new NoneTool(),
            new Commentary(log, Environment.ProcessId), log, context => new JitBackend(new BackendContext(context.PageMapLevel1, small)));

        var end = machine.DispatcherFor(machine.MainThread, new GuestLock()).Run();

        Assert.That(end, Is.EqualTo(new GuestEnd.Exited(0)), log.ToString());
        Assert.That(small.Generation, Is.GreaterThan(1), "the cache was expected to fill and be flushed");
    }
}
