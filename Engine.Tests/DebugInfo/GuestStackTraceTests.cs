using System.Text.RegularExpressions;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.DebugInfo;

/// <summary>
/// The stack captured from the guest state at a fault lists the same functions and file:line as gdb's
/// `bt` at that fault, and renders exactly as Valgrind prints it, addresses included (golden files from
/// record-stacks.sh), across -O0/-O2, PIE/non-PIE, static/dynamic, DWARF 4/5, C/C++ and through libc,
/// with inlined frames where the case reads inline info.
/// </summary>
[Category("Slow")]
public partial class GuestStackTraceTests
{
    public sealed record StackCase(string Name, string Source, string[] Flags, string Oracles)
    {
        public bool ReadsInlineInfo => Oracles.Contains("inline");

        public override string ToString() => Name;
    }

    private static IEnumerable<StackCase> GdbCases() => Cases().Where(c => c.Oracles.Contains("gdb"));

    private static IEnumerable<StackCase> ValgrindCases() => Cases().Where(c => c.Oracles.Contains("valgrind"));

    private static IEnumerable<StackCase> Cases() =>
        File.ReadLines(Path.Combine(DebugInfoFiles.Directory, "stack-cases.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .Select(p => new StackCase(p[0], p[1], p[2].Split(' ', StringSplitOptions.RemoveEmptyEntries), p[3]));

    [TestCaseSource(nameof(ValgrindCases))]
    public void StackAtFaultRendersAsValgrindPrintsIt(StackCase c)
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture(c.Source), c.Flags);
        var trace = GuestStackProbe.AtFatalSignal(program, readInlineInfo: c.ReadsInlineInfo);
        var expected = File.ReadAllLines(Path.Combine(DebugInfoFiles.Directory, c.Name + ".valgrind"));
        Assert.That(trace.Render().Select(l => MaskLibraryAddress(l.Replace(program, "PROGRAM"))), Is.EqualTo(expected.Select(MaskLibraryAddress)));
    }

    [TestCaseSource(nameof(GdbCases))]
    public void StackAtFaultMatchesGdbBacktrace(StackCase c)
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture(c.Source), c.Flags);
        var trace = GuestStackProbe.AtFatalSignal(program, readInlineInfo: c.ReadsInlineInfo);
        var expected = File.ReadAllLines(Path.Combine(DebugInfoFiles.Directory, c.Name + ".gdb"));
        // Valgrind names an inlined frame by its DW_AT_name, without scopes, where gdb qualifies it:
        // functions compare unqualified here (the valgrind golden files check the full names).
        var actual = trace.Frames.Select(f => $"{Unqualified(WithoutParameters(f.Function))} {Path.GetFileName(f.File)}:{f.Line}");
        Assert.That(actual, Is.EqualTo(expected.Select(l => l.Split(' ')).Select(p => $"{Unqualified(p[0])} {p[1]}")),
            string.Join('\n', trace.Render()));
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

    [Test]
    public void NumCallersCountsAddressesEachWithAllItsInlinedFrames()
    {
        // Valgrind 3.19 --read-inline-info=yes --num-callers=2: "at leaf", then the one caller address as
        // check, run and main; --num-callers=1 leaves "at leaf" alone.
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture("inline_call.c"), "-g", "-O2");
        var two = GuestStackProbe.AtFatalSignal(program, maxFrames: 2, readInlineInfo: true).Frames;
        Assert.That(two.Select(f => f.Function), Is.EqualTo(new[] { "leaf", "check", "run", "main" }));
        Assert.That(two.Skip(1).Select(f => f.Address).Distinct().Count(), Is.EqualTo(1));
        Assert.That(GuestStackProbe.AtFatalSignal(program, maxFrames: 1, readInlineInfo: true).Frames, Has.Count.EqualTo(1));
    }

    [TestCase("--read-inline-info=yes", "by 0x109069: run (inline_call.c:22)")]
    [TestCase("--read-inline-info=no", "by 0x109069: main (inline_call.c:16)")]
    public void ReadInlineInfoOptionReachesTheFatalSignalReport(string option, string frame)
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture("inline_call.c"), "-g", "-O2");
        var result = EngineRunner.Run(["--tool=none", option], program);
        Assert.That(result.Stderr, Does.Contain(frame), result.ToString());
    }

    [Test]
    public void WithoutInlineInfoAnAddressIsOneFrameOfItsFunction()
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture("inline_call.c"), "-g", "-O2");
        var frames = GuestStackProbe.AtFatalSignal(program).Frames;
        // Valgrind 3.19 --read-inline-info=no: "by 0x109069: main (inline_call.c:16)", the line of the inlined call.
        Assert.That(frames.Select(f => $"{f.Function} {f.Line}"), Is.EqualTo(new[] { "leaf 11", "main 16" }));
    }

    [Test]
    public void ShowBelowMainContinuesThroughLibcStartupToStart()
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture("nested_fault.c"), "-g", "-O2");
        var frames = GuestStackProbe.AtFatalSignal(program, showBelowMain: true).Frames;
        // Valgrind 3.19 --show-below-main=yes: ... main, __libc_start_call_main (libc_start_call_main.h:58),
        // __libc_start_main@@GLIBC_2.34 (libc-start.c:360), _start (in PROGRAM), then whatever the stack holds.
        Assert.That(frames.Skip(5).Take(4).Select(f => f.Render(false)[(f.Render(false).IndexOf(':') + 2)..]), Is.EqualTo(new[]
        {
            "main (nested_fault.c:27)", "__libc_start_call_main (libc_start_call_main.h:58)",
            "__libc_start_main@@GLIBC_2.34 (libc-start.c:360)", $"_start (in {program})",
        }));
    }

    /// <summary>
    /// Libraries' frame addresses depend on where the guest address space put them (layout is the
    /// loader's, not this layer's): seven or more hex digits are masked; the program's stay exact.
    /// </summary>
    private static string MaskLibraryAddress(string frame) => LibraryAddress().Replace(frame, "0xLIBRARY:");

    [GeneratedRegex(@"0x[0-9A-F]{7,}:")]
    private static partial Regex LibraryAddress();

    /// <summary>The last component of a C++ qualified name: "put" for "shapes::Box&lt;int&gt;::put".</summary>
    internal static string? Unqualified(string? function)
    {
        if (function is null) return null;
        int depth = 0;
        for (int i = function.Length - 1; i > 0; i--)
        {
            if (function[i] == '>') depth++;
            else if (function[i] == '<') depth--;
            else if (depth == 0 && function[i] == ':' && function[i - 1] == ':') return function[(i + 1)..];
        }
        return function;
    }

    /// <summary>gdb names C++ frames without their parameter list: strip the trailing "(...)".</summary>
    internal static string? WithoutParameters(string? function)
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
