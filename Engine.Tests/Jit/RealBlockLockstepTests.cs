using Memcheck.Engine.DebugInfo;
using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Os;
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
        using var space = new GuestAddressSpace();
        List<string> argv = [program];
        var loaded = new ProgramLoader(space).Load(program, argv, ["LC_ALL=C"]);
        var commentary = new Commentary(TextWriter.Null, Environment.ProcessId);
        var state = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);
        try
        {
            new Span<byte>(state, GuestState.BlockSize).Clear();
            state->Reset();
            state->Gpr[4] = loaded.InitialRsp;
            state->Rip = loaded.Entry;
            var process = new ProcessInfo
            {
                ExecutablePath = loaded.ExecutablePath, Argv = argv, InitialBrk = loaded.BrkStart,
                Auxv = loaded.AuxvBytes(), ProcMaps = space.FormatProcMaps,
            };
            var kernel = new SyscallHandler(process, space, space.Pages, HostFileDescriptors.Snapshot(), TextWriter.Null);
            var optimiser = new Optimiser { GuestSpecialisation = FlagSpecialiser.Specialise };
            using var codeCache = new CodeCache();
            var backend = new LockstepBackend(new BackendContext(space.Pages.Level1, codeCache) { Chaining = false });
            var translator = new Translator(new Lifter(new GuestCodeSource(space.Pages)), new NoneTool(), optimiser.Run, backend);
            space.Unmapped += translator.Invalidate;
            space.ProtectionChanged += (start, length, _) => translator.Invalidate(start, length);
            space.Remapped += (oldStart, _, length) => translator.Invalidate(oldStart, length);
            var end = new Dispatcher(translator, state, space.Pages, new DispatcherServices(kernel, commentary, space, new DebugInfoIndex(space), 12), new GuestLock(), kernel.Delivery).Run();
            backend.Dispose();
            int exitCode = end is GuestEnd.Killed killed ? 128 + killed.Fault.Signal : ((GuestEnd.Exited)end).Status & 0xFF;
            return (exitCode, backend);
        }
        finally
        {
            NativeMemory.AlignedFree(state);
        }
    }
}
