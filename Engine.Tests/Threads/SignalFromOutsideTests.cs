using System.Diagnostics;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Threads;

/// <summary>
/// Signals another process sends the engine's process reach the guest as they reach it natively: its handler, a
/// wait for them (sigwait, signalfd), or its default action, which ends it with Valgrind's report and status 128+N
/// even while it is blocked in a syscall the kernel would restart. None ends the engine unreported, and the ones
/// ignored by default neither end nor interrupt the guest.
/// </summary>
[Category("Slow")]
public class SignalFromOutsideTests
{
    private const int SigKill = 9;

    [Test]
    public void GuestHandlerReceivesSigint()
    {
        var (exitCode, stdout, _) = RunAndInterrupt("handle");
        Assert.That(stdout, Is.EqualTo("ready\ninterrupted by 2\n"));
        Assert.That(exitCode, Is.Zero);
    }

    [Test]
    public void SigintWithoutHandlerEndsTheGuestWithTheReport()
    {
        var (exitCode, stdout, stderr) = RunAndInterrupt();
        Assert.That(stdout, Is.EqualTo("ready\n"));
        Assert.That(stderr, Does.Contain("Process terminating with default action of signal 2 (SIGINT)"));
        Assert.That(exitCode, Is.EqualTo(128 + 2));
    }

    [TestCase(1, "SIGHUP")]
    [TestCase(3, "SIGQUIT")]
    [TestCase(10, "SIGUSR1")]
    [TestCase(15, "SIGTERM")]
    [TestCase(16, "SIGSTKFLT")]
    [TestCase(31, "SIGSYS")]
    [TestCase(32, "SIGRT0")]
    [TestCase(33, "SIGRT1")]
    [TestCase(37, "SIGRT5")]
    [TestCase(6, "SIGABRT")]
    public void DefaultActionEndsAGuestBlockedInReadWithTheReport(int signal, string name)
    {
        var native = SendWhileWaiting(underEngine: false, "read", signal);
        var engine = SendWhileWaiting(underEngine: true, "read", signal);

        Assert.That(native.ExitCode, Is.EqualTo(128 + signal), native.ToString());
        Assert.That(engine.ExitCode, Is.EqualTo(native.ExitCode), engine.ToString());
        Assert.That(engine.Stdout, Is.EqualTo(native.Stdout), engine.ToString());
        Assert.That(engine.Stderr, Does.Contain($"Process terminating with default action of signal {signal} ({name})"), engine.ToString());
        Assert.That(engine.Stderr, Does.Match(@"==\d+==    at 0x[0-9A-F]+: read \("), "the report shows where the guest waited");
    }

    [TestCase(17)] // SIGCHLD
    [TestCase(23)] // SIGURG
    [TestCase(28)] // SIGWINCH
    public void SignalIgnoredByDefaultNeitherEndsNorInterruptsARead(int signal) =>
        AssertSameAsNative("read", signal, "ready\nread returned 0\n");

    [Test]
    public void ReadGoesOnAfterAHandlerWithSaRestart() =>
        AssertSameAsNative("restart", 10, "ready\nhandled SIGUSR1\nread returned 0\n", waitFor: "handled SIGUSR1");

    [Test]
    public void ReadFailsWithEintrAfterAHandlerWithoutSaRestart() =>
        AssertSameAsNative("interrupt", 10, "ready\nhandled SIGUSR1\nread failed: EINTR\n", waitFor: "handled SIGUSR1");

    [Test]
    public void SigwaitinfoTakesABlockedSignalFromAnotherProcess() =>
        AssertSameAsNative("sigwait", 15, "ready\nsigwaitinfo took Terminated from another process: 1\n");

    [Test]
    public void SignalfdBecomesReadableForABlockedSignalFromAnotherProcess() =>
        AssertSameAsNative("signalfd", 15, "ready\npoll 1, read 128 bytes: Terminated from another process: 1\n");

    [Test]
    public void SigkillEndsTheEngineAtOnceWithoutAReport()
    {
        var engine = SendWhileWaiting(underEngine: true, "read", SigKill);
        Assert.That(engine.ExitCode, Is.EqualTo(128 + SigKill), engine.ToString());
        Assert.That(engine.Stderr, Does.Not.Contain("Process terminating"), engine.ToString());
    }

    private static void AssertSameAsNative(string mode, int signal, string expected, string? waitFor = null)
    {
        var native = SendWhileWaiting(underEngine: false, mode, signal, waitFor);
        Assert.That(native.Stdout, Is.EqualTo(expected), $"the fixture itself misbehaves natively: {native}");
        var engine = SendWhileWaiting(underEngine: true, mode, signal, waitFor);
        Assert.That(engine.Stdout, Is.EqualTo(native.Stdout), engine.ToString());
        Assert.That(engine.ExitCode, Is.EqualTo(native.ExitCode), engine.ToString());
    }

    /// <summary>
    /// Runs c/outside_signal.c in <paramref name="mode"/>, sends it <paramref name="signal"/> once it is ready, waits
    /// for the line <paramref name="waitFor"/> or, without one, half a second for the signal to land, and then ends its
    /// standard input.
    /// </summary>
    private static ProcessResult SendWhileWaiting(bool underEngine, string mode, int signal, string? waitFor = null)
    {
        string program = FixtureCompiler.Compile("c/outside_signal.c", "-O2");
        var info = new ProcessStartInfo(underEngine ? EngineRunner.Executable : program)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string arg in underEngine ? ["--tool=none", program, mode] : (string[])[mode]) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = new System.Text.StringBuilder();
        string? line = process.StandardOutput.ReadLine();
        Assert.That(line, Is.EqualTo("ready"), stderr.IsCompleted ? stderr.Result : "");
        stdout.Append(line).Append('\n');
        if (mode is "read" or "restart" or "interrupt") WaitUntilReadingStdin(process.Id);
        var kill = NativeRunner.Run("kill", [$"-{signal}", process.Id.ToString()]);
        Assert.That(kill.ExitCode, Is.Zero, kill.ToString());
        if (waitFor is null) Thread.Sleep(500);
        else
        {
            while ((line = process.StandardOutput.ReadLine()) is not null)
            {
                stdout.Append(line).Append('\n');
                if (line == waitFor) break;
            }
        }
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already ended by the signal: nothing reads its input any more.
        }
        stdout.Append(process.StandardOutput.ReadToEnd());
        bool ended = process.WaitForExit(TimeSpan.FromSeconds(60));
        if (!ended) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.ToString(), stderr.Result, TimedOut: !ended);
    }

    /// <summary>
    /// Until a thread of process <paramref name="pid"/> waits in read(0, ...): a signal sent sooner reaches the guest
    /// before the read, all the more under the engine, which translates the code on the way there first.
    /// </summary>
    private static void WaitUntilReadingStdin(int pid)
    {
        const string readOfStdin = "0 0x0 "; // /proc/PID/task/TID/syscall: the number, then the arguments
        var waited = Stopwatch.StartNew();
        while (!Directory.GetDirectories($"/proc/{pid}/task").Any(task => ReadsStdin(task, readOfStdin)))
        {
            Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "the program never read its input");
            Thread.Sleep(20);
        }
    }

    private static bool ReadsStdin(string task, string readOfStdin)
    {
        try
        {
            return File.ReadAllText(Path.Combine(task, "syscall")).StartsWith(readOfStdin, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false; // the thread ended meanwhile
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) RunAndInterrupt(params string[] args)
    {
        string program = FixtureCompiler.Compile("c/sigint_wait.c", "-O2");
        var info = new ProcessStartInfo(EngineRunner.Executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string arg in (string[])["--tool=none", program, .. args]) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string? first = process.StandardOutput.ReadLine();
        Assert.That(first, Is.EqualTo("ready"));
        var kill = NativeRunner.Run("kill", ["-INT", process.Id.ToString()]);
        Assert.That(kill.ExitCode, Is.Zero, kill.ToString());
        string rest = process.StandardOutput.ReadToEnd();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "the guest did not end after SIGINT");
        return (process.ExitCode, first + "\n" + rest, stderr.Result);
    }
}
