using Memcheck.Engine.Core;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Tests.Support;
using Memcheck.Engine.Tools.None;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// The backend against the IR interpreter on real code: every block the static fixtures execute,
/// run both ways from the same state (see <see cref="LockstepBackend"/>), must end in identical
/// guest state and stored memory.
/// </summary>
[TestFixture, Category("Slow"), NonParallelizable]
public sealed unsafe class RealBlockLockstepTests
{
    private static IEnumerable<TestCaseData> Programs() =>
        from fixture in GuestFixtures.StaticC
        from optimisation in GuestFixtures.Optimisations
        select new TestCaseData(fixture, optimisation).SetName($"{fixture.Name}{optimisation}_static");

    [TestCaseSource(nameof(Programs))]
    public void CompiledBlocksMatchTheInterpreterOnEveryExecutedBlock(GuestFixture fixture, string optimisation)
    {
        string program = FixtureCompiler.Compile(fixture.Source, optimisation, "-static");
        var (exitCode, backend) = RunInLockstep(program);

        Assert.That(backend.BlocksRun, Is.GreaterThan(100), "the run executed real code");
        Assert.That(backend.Mismatches, Is.Empty,
            $"{backend.Mismatches.Count} of {backend.BlocksRun} block runs differ:\n{string.Join("\n", backend.Mismatches.Take(20))}");
        Assert.That(exitCode, Is.EqualTo(fixture.ExpectedExitCode));
        TestContext.Out.WriteLine($"{backend.BlocksRun} block runs, {backend.DistinctBlocks.Count} distinct blocks, all equal");
    }

    /// <summary>The session's pipeline (loader, lifter, optimiser, kernel, dispatcher) with the lockstep backend.</summary>
    private static (int ExitCode, LockstepBackend Backend) RunInLockstep(string program)
    {
        LockstepBackend? backend = null;
        using var machine = new GuestMachine(program, [program], ["LC_ALL=C"], new NoneTool(),
            new Commentary(TextWriter.Null, Environment.ProcessId), TextWriter.Null,
            context => backend = new LockstepBackend(new BackendContext(context.PageMapLevel1, context.Cache) { Chaining = false }));
        var end = machine.DispatcherFor(machine.MainThread, new GuestLock()).Run();
        backend!.Dispose();
        int exitCode = end is GuestEnd.Killed killed ? 128 + killed.Fault.Signal : ((GuestEnd.Exited)end).Status & 0xFF;
        return (exitCode, backend);
    }
}
