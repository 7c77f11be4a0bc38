using System.Diagnostics;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tests.Support;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.None;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// A tool whose addressability map marks every byte the guest has mapped addressable, so compiled code runs
/// the full inline check on every access and the slow path only for memory outside every mapping.
/// </summary>
internal sealed unsafe class EverythingMappedTool : Tool, IDisposable
{
    private static IGuestMemoryGuard? s_pages;
    /// <summary>Slow-path calls of the current run: accesses outside every mapping.</summary>
    public static int SlowPathCalls;

    private readonly ShadowMemory _shadow = new();

    public EverythingMappedTool() =>
        AccessCheck = new AccessCheck(_shadow.Primary, new IrHelper("all_mapped_slow_path", &SlowPath, 3, isPure: false));

    public override string Banner => "all-mapped test tool";
    public override AccessCheck AccessCheck { get; }

    /// <summary>Marks what <paramref name="machine"/> maps now and from now on.</summary>
    public void Follow(GuestMachine machine)
    {
        s_pages = machine.Space.Pages;
        SlowPathCalls = 0;
        foreach (var mapping in machine.Space.Mappings) _shadow.MakeDefined(mapping.Start, mapping.Length);
        machine.Space.Mapped += (start, length, _) => _shadow.MakeDefined(start, length);
        machine.Space.Unmapped += (start, length) => _shadow.MakeNoAccess(start, length);
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static ulong SlowPath(GuestState* state, ulong address, ulong size, ulong isWrite, ulong unused)
    {
        SlowPathCalls++;
        bool allowed = isWrite != 0 ? s_pages!.CanWrite(address, (int)size) : s_pages!.CanRead(address, (int)size);
        return allowed ? 0UL : 1UL;
    }

    public void Dispose() => _shadow.Dispose();
}

/// <summary>
/// The cost of checking every access against an addressability map instead of the page map: the CPU-bound
/// bench fixtures run in process on compiled code, with the none tool and with a map saying everything mapped
/// is addressable. Prints the times; proves the checked run behaves the same.
/// </summary>
[TestFixture, Category("Slow"), Explicit("a measurement: run on purpose")]
public sealed unsafe class AccessCheckOverheadTests
{
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "bench", "fixtures"))) return dir.FullName;
        throw new DirectoryNotFoundException("no bench/fixtures above " + AppContext.BaseDirectory);
    }

    private static (double Seconds, int Status, ulong Instructions) Run(string program, Tool tool)
    {
        var log = new StringWriter();
        using var machine = new GuestMachine(program, [program], ["LANG=C"], tool,
            new Commentary(log, Environment.ProcessId), log, context => new JitBackend(context));
        (tool as EverythingMappedTool)?.Follow(machine);
        var clock = Stopwatch.StartNew();
        var end = machine.DispatcherFor(machine.MainThread, new GuestLock()).Run();
        double seconds = clock.Elapsed.TotalSeconds;
        Assert.That(end, Is.InstanceOf<GuestEnd.Exited>(), log.ToString());
        return (seconds, ((GuestEnd.Exited)end).Status, machine.MainThread->InstrCount);
    }

    [TestCase("sieve"), TestCase("hashmix"), TestCase("qsort_ints"), TestCase("nbody")]
    public void EverythingAddressableAgainstThePageCheck(string fixture)
    {
        string program = FixtureCompiler.Compile(Path.Combine(RepositoryRoot(), "bench", "fixtures", fixture + ".c"), "-O2", "-static");
        const int runs = 3;
        double none = double.MaxValue, mapped = double.MaxValue;
        for (int i = 0; i < runs; i++)
        {
            var plain = Run(program, new NoneTool());
            using var tool = new EverythingMappedTool();
            var checkedRun = Run(program, tool);
            Assert.That(checkedRun.Status, Is.EqualTo(plain.Status));
            Assert.That(checkedRun.Instructions, Is.EqualTo(plain.Instructions));
            none = Math.Min(none, plain.Seconds);
            mapped = Math.Min(mapped, checkedRun.Seconds);
        }
        TestContext.Out.WriteLine($"{fixture}: page check {none:F3} s, addressability map {mapped:F3} s, " +
            $"ratio {mapped / none:F2}, slow-path calls {EverythingMappedTool.SlowPathCalls}");
    }
}
