using Memcheck.Engine.Core;
using Memcheck.Engine.Core.Redirection;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Core;

/// <summary>
/// Function replacement end to end, in this process on both backends: a test tool replaces malloc, free,
/// operator new and the IFUNC strlen of a dynamically linked C++ fixture, and the guest's output, the tool's
/// counts and the stacks it captured show each replacement ran where the guest called the real function.
/// </summary>
[TestFixture, Category("Slow"), NonParallelizable]
public sealed unsafe class RedirectTests
{
    private const string Fixture = "cpp/redirect_heap.cpp";
    private const int ProbeMallocLine = 11, StrlenLine = 17;
    private static readonly string[] Backends = ["jit", "interpreter"];
    private static readonly Dictionary<(string, bool), GuestRun> Runs = [];

    private sealed record GuestRun(GuestEnd End, RedirectTestTool Tool, string[] Output, string ProcMaps, string Log);

    /// <summary>Runs the fixture once per backend and freeres choice; the tests read the same run.</summary>
    private static GuestRun Run(string backend, bool freeres = true)
    {
        if (Runs.TryGetValue((backend, freeres), out var cached)) return cached;
        string program = FixtureCompiler.Compile(Fixture, "-O0", "-g");
        string output = Path.Combine(Path.GetTempPath(), $"redirect-{Guid.NewGuid():N}.txt");
        var tool = new RedirectTestTool();
        var log = new StringWriter();
        GuestEnd end;
        string maps;
        using (var machine = new GuestMachine(program, [program, output, RedirectTestTool.ProbeWord], ["LC_ALL=C"], tool,
                   new Commentary(log, Environment.ProcessId), log,
                   context => backend == "jit" ? new JitBackend(context) : new InterpreterBackend(context.AccessCheck),
                   freeres: new FreeresAtExit.Choice(freeres, freeres)))
        {
            end = machine.DispatcherFor(machine.MainThread, new GuestLock()).Run();
            maps = machine.Space.FormatProcMaps();
        }
        string[] lines = File.Exists(output) ? File.ReadAllLines(output) : [];
        File.Delete(output);
        return Runs[(backend, freeres)] = new GuestRun(end, tool, lines, maps, log.ToString());
    }

    private static ulong Hex(string word) => Convert.ToUInt64(word, 16);

    [TestCaseSource(nameof(Backends))]
    public void MallocAndOperatorNewReturnTheToolsBlocks(string backend)
    {
        var run = Run(backend);
        Assert.That(run.End, Is.EqualTo(new GuestEnd.Exited(0)), run.Log);
        var malloc = run.Output.Single(l => l.StartsWith("malloc ")).Split(' ');
        var @new = run.Output.Single(l => l.StartsWith("new ")).Split(' ');
        Assert.That(new[] { Hex(malloc[1]), Hex(malloc[2]), Hex(@new[1]) }, Has.All.Matches<ulong>(run.Tool.InArena));
        Assert.That(@new[2], Is.EqualTo("42"));
        Assert.That(run.Tool.Mallocs, Is.GreaterThanOrEqualTo(2));
        Assert.That(run.Tool.News, Is.EqualTo(1));
    }

    [TestCaseSource(nameof(Backends))]
    public void StackInsideAReplacementStartsWithItAndContinuesWithTheCaller(string backend)
    {
        var frames = Run(backend).Tool.MallocProbeStack!.Frames;
        Assert.That(frames[0].Function, Is.EqualTo("malloc"));
        Assert.That(frames[0].Object, Is.EqualTo(RedirectTestTool.PreloadPath));
        Assert.That(frames[0].Render(innermost: true), Does.EndWith($": malloc (in {RedirectTestTool.PreloadPath})"));
        Assert.That((frames[1].Function, Path.GetFileName(frames[1].File), frames[1].Line),
            Is.EqualTo(("main", "redirect_heap.cpp", ProbeMallocLine)));
    }

    [TestCaseSource(nameof(Backends))]
    public void IfuncStrlenIsReplacedThroughThePlt(string backend)
    {
        var run = Run(backend);
        Assert.That(run.Output, Does.Contain($"strlen {RedirectTestTool.ProbeWord.Length}"));
        var frames = run.Tool.StrlenProbeStack!.Frames;
        Assert.That(frames[0].Function, Is.EqualTo("strlen"));
        Assert.That((frames[1].Function, frames[1].Line), Is.EqualTo(("main", StrlenLine)));
    }

    [TestCaseSource(nameof(Backends))]
    public void FreeresRunsAtExitAndTheReplacedFreeSeesLibcsOwnFrees(string backend)
    {
        var run = Run(backend);
        Assert.That(run.End, Is.EqualTo(new GuestEnd.Exited(0)), run.Log);
        Assert.That(run.Tool.FreesDuringFreeres, Is.GreaterThan(0));
        Assert.That(run.Output, Has.Length.EqualTo(3), "the guest's output was flushed before the cleanups ran");
    }

    [Test]
    public void NoFreeresRunsWhenTheUserTurnsItOff()
    {
        var run = Run("jit", freeres: false);
        Assert.That(run.End, Is.EqualTo(new GuestEnd.Exited(0)), run.Log);
        Assert.That(run.Tool.FreesDuringFreeres, Is.Zero);
        Assert.That(run.Tool.Frees, Is.GreaterThanOrEqualTo(2));
    }

    [Test]
    public void TheReplacementObjectIsAnExecutableMappingNamedByTheTool()
    {
        var line = Run("jit").ProcMaps.Split('\n').Single(l => l.EndsWith(RedirectTestTool.PreloadPath));
        Assert.That(line.Split(' ')[1], Is.EqualTo("r-xp"));
    }

    [Test]
    public void TheToolIsAttachedWithTheMainThreadAsThreadOne()
    {
        var threads = Run("jit").Tool.ThreadsAtAttach!;
        Assert.That(threads.Select(t => t.Number), Is.EqualTo(new[] { 1 }));
    }
}
