using Memcheck.Engine.Core;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Core;

/// <summary>A guest killed by a signal ends at once: as under Valgrind, the exit-time cleanups do not run.</summary>
[TestFixture, Category("Slow"), NonParallelizable]
public sealed unsafe class RedirectFatalSignalTests
{
    [Test]
    public void AbortRunsNoCleanups()
    {
        string program = FixtureCompiler.Compile("c/abort.c", "-O0");
        var tool = new RedirectTestTool();
        var log = new StringWriter();
        GuestEnd end;
        using (var machine = new GuestMachine(program, [program], ["LC_ALL=C"], tool,
                   new Commentary(log, Environment.ProcessId), log, context => new InterpreterBackend(context.AccessCheck)))
            end = machine.DispatcherFor(machine.MainThread, new GuestLock()).Run();

        Assert.That(end, Is.InstanceOf<GuestEnd.Killed>(), log.ToString());
        Assert.That(tool.Mallocs, Is.GreaterThan(0), "the stdout buffer came from the replaced malloc");
        Assert.That(tool.FreesDuringFreeres, Is.Zero);
    }
}
