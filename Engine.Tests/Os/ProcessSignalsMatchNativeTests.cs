using System.Text.RegularExpressions;
using Memcheck.Engine.Tests.Support;
using Memcheck.Engine.Tests.Threads;

namespace Memcheck.Engine.Tests.Os;

/// <summary>
/// Signals between processes and threads behave under <c>memcheck --tool=none</c> as natively: SIGCHLD reaches
/// the guest's handler though the runtime owns it on the host, masks and alternate stacks are per thread, and a
/// forked child reports as itself, execve without fork keeps what Linux keeps, and posix_spawn reports a failed exec.
/// Signals a thread waits for (sigwait, signalfd) are taken by the wait, and a write to a pipe nobody reads raises SIGPIPE.
/// </summary>
[Category("Slow")]
public class ProcessSignalsMatchNativeTests
{
    [TestCase("-O0")]
    [TestCase("-O2")]
    public void SigchldReachesTheHandlerInSigsuspendAndPauseWithTheChildsSiginfo(string optimisation) =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative(FixtureCompiler.Compile("c/sigchld_handler.c", optimisation), [], 0);

    [TestCase("-O0")]
    [TestCase("-O2")]
    public void SignalMasksAndAlternateStacksArePerThread(string optimisation) =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative(FixtureCompiler.Compile("c/pthread_sigmask.c", optimisation, "-pthread"), [], 0);

    [TestCase("-O0")]
    [TestCase("-O2")]
    public void SigwaitTakesSignalsFromAnotherThreadAndSigtimedwaitTimesOutWithEagain(string optimisation) =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative(FixtureCompiler.Compile("c/sigwait_thread.c", optimisation, "-pthread"), [], 0);

    [TestCase("-O0")]
    [TestCase("-O2")]
    public void SignalfdReadsBlockedSignalsTheProcessSentItselfInsteadOfTheHandler(string optimisation) =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative(FixtureCompiler.Compile("c/signalfd_read.c", optimisation), [], 0);

    [Test]
    public void WriteToAPipeWithoutReaderEndsTheGuestBySigpipeWithTheReport()
    {
        var (native, engine) = RunWithDefaultSigpipe(FixtureCompiler.Compile("c/sigpipe_write.c", "-O2"));
        Assert.That(native.ExitCode, Is.EqualTo(128 + 13), native.ToString());
        Assert.That(engine.ExitCode, Is.EqualTo(native.ExitCode), engine.ToString());
        Assert.That(engine.Stdout, Is.EqualTo(native.Stdout), engine.ToString());
        Assert.That(engine.Stderr, Does.Contain("Process terminating with default action of signal 13 (SIGPIPE)"), engine.ToString());
    }

    [TestCase("ignore")]
    [TestCase("handle")]
    public void WriteToAPipeWithoutReaderFailsWithEpipeWhenSigpipeIsIgnoredOrHandled(string mode)
    {
        var (native, engine) = RunWithDefaultSigpipe(FixtureCompiler.Compile("c/sigpipe_write.c", "-O2"), mode);
        Assert.That(native.ExitCode, Is.Zero, native.ToString());
        Assert.That(engine.Stdout, Is.EqualTo(native.Stdout), engine.ToString());
        Assert.That(engine.ExitCode, Is.EqualTo(native.ExitCode), engine.ToString());
    }

    /// <summary>Natively and under the engine, both started with SIGPIPE at its default (the test host may ignore it).</summary>
    private static (ProcessResult Native, ProcessResult Engine) RunWithDefaultSigpipe(string program, params string[] args) =>
        (NativeRunner.Run("/usr/bin/env", ["--default-signal=PIPE", program, .. args]),
         NativeRunner.Run("/usr/bin/env", ["--default-signal=PIPE", EngineRunner.Executable, "--tool=none", program, .. args]));

    [Test]
    public void ForkedChildReportsWithItsOwnPidAndDiesByTheSignal()
    {
        string program = FixtureCompiler.Compile("c/fork_child_report.c", "-O2");
        var engine = EngineRunner.Run(["--tool=none"], program);

        var child = Regex.Match(engine.Stdout, @"^child (\d+)$", RegexOptions.Multiline);
        Assert.That(child.Success, Is.True, engine.ToString());
        Assert.That(engine.Stderr, Does.Contain($"=={child.Groups[1].Value}== Process terminating with default action of signal 6 (SIGABRT)"),
            engine.ToString());
        Assert.That(engine.Stdout, Does.EndWith("child ended by signal 6\n"), "the parent's waitpid sees the child killed, as natively");
        Assert.That(engine.ExitCode, Is.Zero, engine.ToString());
    }

    [Test]
    public void ExecveKeepsDescriptorsMaskAndIgnoredSignalsAndPassesTheEnvironment()
    {
        string program = FixtureCompiler.Compile("c/execve_replaces.c", "-O2");
        // Both start with SIGPIPE at its default: the test host may or may not ignore it (children inherit SIG_IGN).
        var native = NativeRunner.Run("/usr/bin/env", ["--default-signal=PIPE", program]);
        var engine = NativeRunner.Run("/usr/bin/env", ["--default-signal=PIPE", EngineRunner.Executable, "--tool=none", program]);
        Assert.That(native.ExitCode, Is.EqualTo(0), native.ToString());
        Assert.That(engine.Stdout, Is.EqualTo(native.Stdout), engine.ToString());
        Assert.That(engine.ExitCode, Is.EqualTo(native.ExitCode), engine.ToString());
        // Valgrind 3.19 (--trace-children=no) prints its header and nothing more: the new program is not followed.
        string[] commentary = engine.Stderr.TrimEnd('\n').Split('\n');
        Assert.That(commentary, Has.Length.EqualTo(5), engine.ToString());
        Assert.That(commentary[^2], Does.Contain("Command: "), engine.ToString());
    }

    [TestCase("-O0")]
    [TestCase("-O2")]
    public void PosixSpawnOfAMissingProgramFailsWithEnoentInTheParent(string optimisation) =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative(FixtureCompiler.Compile("c/posix_spawn_missing.c", optimisation), [], 0);
}
