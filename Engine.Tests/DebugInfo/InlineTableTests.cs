using System.Text.RegularExpressions;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.DebugInfo;

/// <summary>
/// The inlined calls read from .debug_info agree with binutils' addr2line -i (which reads the same
/// DW_TAG_inlined_subroutine tree) at thousands of addresses of libc's debug file (DWARF 5,
/// compressed, rnglists, strx) and of a DWARF 4 -O2 program.
/// </summary>
[Category("Slow")]
public partial class InlineTableTests
{
    [Test]
    public void LibcInlinedCallsAgreeWithAddr2line()
    {
        var libc = new DebugObject(LineTableTests.LibcPath);
        Assume.That(libc.DebugFilePath, Is.Not.Null, "libc6-dbg is not installed");
        AssertAgreesWithAddr2line(libc, libc.DebugFilePath!, sample: 3000);
    }

    [Test]
    public void Dwarf4ProgramInlinedCallsAgreeWithAddr2line()
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture("inline_fault.cpp"), "-gdwarf-4", "-O2");
        AssertAgreesWithAddr2line(new DebugObject(program), program, sample: 1000);
    }

    private static void AssertAgreesWithAddr2line(DebugObject obj, string dwarfFile, int sample)
    {
        var rows = obj.Lines!.Rows.Where(r => !r.EndSequence).ToList();
        // An even sample of line rows, plus the start of every sequence so every unit with code is read.
        int n = Math.Min(sample, rows.Count);
        var sequenceStarts = obj.Lines.Rows.Where((r, i) => !r.EndSequence && (i == 0 || obj.Lines.Rows[i - 1].EndSequence)).Select(r => r.Address);
        var addresses = Enumerable.Range(0, n).Select(i => rows[(int)((long)i * rows.Count / n)].Address).Concat(sequenceStarts).Distinct().ToList();
        var result = NativeRunner.Run("addr2line", ["-e", dwarfFile, "-i", "-f", "-C", "-a", .. addresses.Select(a => $"0x{a:x}")]);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        var expected = ParseAddr2line(result.Stdout);
        int inlined = 0;
        foreach (ulong address in addresses)
        {
            var frames = expected[address];
            var calls = obj.Inlines!.At(address);
            var want = frames.Zip(frames.Skip(1), (inner, outer) => outer.Location).ToList();
            Assert.That(calls.Select(c => $"{Path.GetFileName(c.CallFile)}:{c.CallLine}"), Is.EqualTo(want), $"inlined call sites at 0x{address:x}");
            for (int i = 0; i < calls.Count; i++)
                Assert.That(SameFunction(frames[i].Function, calls[i].Function), $"0x{address:x}: addr2line says {frames[i].Function}, we say {calls[i].Function}");
            if (want.Count > 0) inlined++;
        }
        Assert.That(inlined, Is.GreaterThan(addresses.Count / 20), "too few sampled addresses are inside inlined code to prove anything");
    }

    /// <summary>
    /// Valgrind names an inlined frame by DW_AT_name; addr2line prefers DW_AT_linkage_name, demangled
    /// (with scopes and parameters), or for glibc's asm-renamed internal calls the alias (__GI_toupper).
    /// </summary>
    private static bool SameFunction(string addr2line, string ours)
    {
        string plain = GuestStackTraceTests.Unqualified(GuestStackTraceTests.WithoutParameters(addr2line))!;
        plain = plain[(plain.LastIndexOf(' ') + 1)..]; // a template function's return type
        return plain == ours || plain.EndsWith("_" + ours, StringComparison.Ordinal);
    }

    private readonly record struct Frame(string Function, string Location);

    /// <summary>addr2line -a -f -i output: per address, its frames innermost first as function and file:line (file without directory).</summary>
    private static Dictionary<ulong, List<Frame>> ParseAddr2line(string output)
    {
        var result = new Dictionary<ulong, List<Frame>>();
        List<Frame>? current = null;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith("0x")) { result[Convert.ToUInt64(lines[i], 16)] = current = []; continue; }
            string location = Discriminator().Replace(lines[++i], "");
            current!.Add(new Frame(lines[i - 1], Path.GetFileName(location)));
        }
        return result;
    }

    [GeneratedRegex(@" \(discriminator \d+\)$")]
    private static partial Regex Discriminator();
}
