using System.Diagnostics;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Threads;

/// <summary>SIGINT sent to the engine's process reaches the guest: its handler, or its default action.</summary>
[Category("Slow")]
public class SignalFromOutsideTests
{
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
