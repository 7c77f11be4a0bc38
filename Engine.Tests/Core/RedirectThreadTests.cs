using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Os;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Core;

/// <summary>
/// Replacements and the exit-time cleanups on a threaded guest run by the scheduler as the session runs it:
/// threads carry the tool and Valgrind's thread numbers, and a worker's exit() runs the cleanups on that worker.
/// </summary>
[TestFixture, Category("Slow"), NonParallelizable]
public sealed unsafe class RedirectThreadTests
{
    private static (int ExitCode, RedirectTestTool Tool, string[] Output, string Log)? s_run;

    private static (int ExitCode, RedirectTestTool Tool, string[] Output, string Log) Run()
    {
        if (s_run is { } cached) return cached;
        string program = FixtureCompiler.Compile("c/redirect_threads.c", "-O0", "-g", "-pthread");
        string output = Path.Combine(Path.GetTempPath(), $"redirect-threads-{Guid.NewGuid():N}.txt");
        var tool = new RedirectTestTool();
        var log = new StringWriter();
        int exitCode;
        using (var machine = new GuestMachine(program, [program, output], ["LC_ALL=C"], tool,
                   new Commentary(log, Environment.ProcessId), log, context => new JitBackend(context)))
        {
            var scheduler = new GuestScheduler(machine.Space.Pages);
            machine.Kernel.Threads = scheduler;
            HostSignals.Install();
            exitCode = scheduler.Run(machine.MainThread,
                registers => machine.DispatcherFor((GuestState*)registers, scheduler.Lock).Run(),
                end => end is GuestEnd.Exited exited ? exited.Status : -1);
        }
        string[] lines = File.Exists(output) ? File.ReadAllLines(output) : [];
        File.Delete(output);
        s_run = (exitCode, tool, lines, log.ToString());
        return s_run.Value;
    }

    [Test]
    public void EachNewThreadTakesTheLowestFreeNumberAndCallsTheReplacement()
    {
        var run = Run();
        Assert.That(run.Tool.ThreadProbes.Select(p => p.Caller), Is.EqualTo(new[] { 2, 2 }), run.Log);
        Assert.That(run.Tool.ThreadProbes.Select(p => p.Live), Has.All.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public void ExitFromAWorkerRunsTheCleanupsOnThatWorker()
    {
        var run = Run();
        Assert.That(run.ExitCode, Is.Zero, run.Log);
        Assert.That(run.Output, Is.EqualTo(new[] { "start", "worker exits" }));
        Assert.That(run.Tool.FreesDuringFreeres, Is.GreaterThan(0));
        Assert.That(run.Tool.FreeresThread, Is.EqualTo(2));
    }
}
