using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.DebugInfo;

/// <summary>
/// The stack captured from the guest state at a fault lists the same functions and file:line as gdb's
/// `bt` at that fault (golden files from record-gdb.sh), across -O0/-O2, PIE/non-PIE, static/dynamic,
/// DWARF 4/5 and C/C++.
/// </summary>
[Category("Slow")]
public class GuestStackTraceTests
{
    public sealed record StackCase(string Name, string Source, string[] Flags)
    {
        public override string ToString() => Name;
    }

    private static IEnumerable<StackCase> Cases() =>
        File.ReadLines(Path.Combine(DebugInfoFiles.Directory, "stack-cases.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .Select(p => new StackCase(p[0], p[1], p[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)));

    [TestCaseSource(nameof(Cases))]
    public void StackAtFaultMatchesGdbBacktrace(StackCase c)
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture(c.Source), c.Flags);
        var trace = GuestStackProbe.AtFatalSignal(program);
        var expected = File.ReadAllLines(Path.Combine(DebugInfoFiles.Directory, c.Name + ".gdb"));
        var actual = trace.Frames.Select(f => $"{WithoutParameters(f.Function)} {Path.GetFileName(f.File)}:{f.Line}");
        Assert.That(actual, Is.EqualTo(expected), string.Join('\n', trace.Render()));
    }

    [Test]
    public void ByFramesPointInsideTheCallAsValgrindPrintsThem()
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture("nested_fault.c"), "-g", "-O0");
        var frames = GuestStackProbe.AtFatalSignal(program).Frames;
        // Valgrind 3.19 printed "by 0x10918E: middle (nested_fault.c:15)" for this binary: return address minus one.
        var objdump = NativeRunner.Run("objdump", ["-d", program]).Stdout;
        string call = objdump.Split('\n').First(l => l.Contains("call") && l.Contains("<leaf>"));
        ulong callAddress = Convert.ToUInt64(call.Split(':')[0].Trim(), 16);
        ulong returnAddress = callAddress + 5;
        Assert.That(frames[1].Address - 0x108000, Is.EqualTo(returnAddress - 1));
    }

    [Test]
    public void NumCallersLimitsTheFrames()
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture("nested_fault.c"), "-g", "-O0");
        Assert.That(GuestStackProbe.AtFatalSignal(program, maxFrames: 3).Frames, Has.Count.EqualTo(3));
    }

    /// <summary>gdb names C++ frames without their parameter list: strip the trailing "(...)".</summary>
    private static string? WithoutParameters(string? function)
    {
        if (function is null || !function.EndsWith(')')) return function;
        int depth = 0;
        for (int i = function.Length - 1; i >= 0; i--)
        {
            if (function[i] == ')') depth++;
            else if (function[i] == '(' && --depth == 0) return function[..i];
        }
        return function;
    }
}
