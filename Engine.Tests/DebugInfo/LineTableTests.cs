using System.Text;
using System.Text.RegularExpressions;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.DebugInfo;

/// <summary>The .debug_line reader agrees row for row with objdump --dwarf=decodedline.</summary>
[Category("Slow")]
public partial class LineTableTests
{
    [Test]
    public void LibcDebugFileAgreesWithObjdump()
    {
        var libc = new DebugObject(LibcPath);
        Assume.That(libc.DebugFilePath, Is.Not.Null, "libc6-dbg is not installed");
        AssertAgreesWithObjdump(libc.Lines!, libc.DebugFilePath!);
    }

    [TestCase("-gdwarf-5", "-O2")]
    [TestCase("-gdwarf-4", "-O0")]
    [TestCase("-gdwarf-5", "-O2", "-gz=zlib")]
    public void LargeGeneratedProgramAgreesWithObjdump(params string[] flags)
    {
        string program = FixtureCompiler.Compile(LargeSource(), flags);
        var lines = new DebugObject(program).Lines;
        Assert.That(lines, Is.Not.Null);
        AssertAgreesWithObjdump(lines!, program);
    }

    [Test]
    public void FindGivesTheLineOfTheContainingRowAndNothingPastASequenceEnd()
    {
        var lines = new DebugObject(FixtureCompiler.Compile(DebugInfoFiles.Fixture("nested_fault.c"), "-g", "-O0")).Lines!;
        var rows = lines.Rows;
        var first = rows.First(r => !r.EndSequence);
        var next = rows.First(r => r.Address > first.Address);
        Assert.That(lines.Find(first.Address)?.Line, Is.EqualTo(rows.Last(r => r.Address == first.Address && !r.EndSequence).Line));
        Assert.That(lines.Find(next.Address - 1)?.Address, Is.LessThan(next.Address));
        Assert.That(lines.Find(rows.Last().Address), Is.Null);
    }

    [Test]
    public void LazyFindAgreesWithASortOfEveryRowInLibc()
    {
        var libc = new DebugObject(LibcPath);
        Assume.That(libc.DebugFilePath, Is.Not.Null, "libc6-dbg is not installed");
        AssertFindAgreesWithFullSort(LibcPath);
    }

    [Test]
    public void LazyFindAgreesWithASortOfEveryRowInALargeProgram() =>
        AssertFindAgreesWithFullSort(FixtureCompiler.Compile(LargeSource(), "-gdwarf-5", "-O2"));

    /// <summary>
    /// Find against the table it replaced: every row sorted by address, end-of-sequence rows first, then table order,
    /// and the last row at or below the address (none when that is an end of sequence), at, below and above each row.
    /// The table that finds has decoded nothing before.
    /// </summary>
    private static void AssertFindAgreesWithFullSort(string path)
    {
        var lines = new DebugObject(path).Lines!;
        var sorted = new DebugObject(path).Lines!.Rows.Select((r, i) => (r, i)).OrderBy(x => x.r.Address).ThenBy(x => x.r.EndSequence ? 0 : 1).ThenBy(x => x.i)
            .Select(x => x.r).ToArray();
        var addresses = sorted.Select(r => r.Address).ToArray();
        LineRow? Expected(ulong address)
        {
            int i = Array.BinarySearch(addresses, address);
            if (i < 0) i = ~i - 1;
            else while (i + 1 < addresses.Length && addresses[i + 1] == address) i++;
            return i < 0 || sorted[i].EndSequence ? null : sorted[i];
        }
        int checkedAddresses = 0;
        foreach (ulong row in addresses.Distinct())
            foreach (ulong address in new[] { row - 1, row, row + 1 })
            {
                Assert.That(lines.Find(address), Is.EqualTo(Expected(address)), $"0x{address:x}");
                checkedAddresses++;
            }
        Assert.That(checkedAddresses, Is.GreaterThan(300));
    }

    internal static string LibcPath => "/lib/x86_64-linux-gnu/libc.so.6";

    private static void AssertAgreesWithObjdump(LineTable lines, string path)
    {
        var objdump = NativeRunner.Run("objdump", ["--dwarf=decodedline", path], timeout: TimeSpan.FromMinutes(2)).Stdout;
        var expected = objdump.Split('\n').Select(l => Row().Match(l)).Where(m => m.Success)
            .Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value} {m.Groups[3].Value}").ToList();
        var actual = lines.Rows
            .Select(r => $"{Path.GetFileName(r.File)} {(r.EndSequence ? "-" : r.Line.ToString())} 0x{r.Address:x}").ToList();
        Assert.That(expected, Has.Count.GreaterThan(100));
        int mismatch = Enumerable.Range(0, Math.Min(expected.Count, actual.Count)).FirstOrDefault(i => expected[i] != actual[i], -1);
        Assert.That(mismatch, Is.EqualTo(-1), () => $"row {mismatch}: objdump '{expected[mismatch]}', ours '{actual[mismatch]}'");
        Assert.That(actual, Has.Count.EqualTo(expected.Count));
    }

    /// <summary>A few thousand lines of varied C: loops, switches, inline helpers, several source files via #line.</summary>
    private static string LargeSource()
    {
        string path = Path.Combine(Path.GetTempPath(), "memcheck-debuginfo-large.c");
        var s = new StringBuilder("#include <stddef.h>\nstatic inline int sq(int x) { return x * x; }\n");
        for (int f = 0; f < 400; f++)
        {
            if (f % 50 == 0) s.Append($"#line 1 \"part{f / 50}.c\"\n");
            s.Append($"int fn{f}(int *a, size_t n)\n{{\n    int acc = {f};\n    for (size_t i = 0; i < n; i++)\n    {{\n");
            s.Append($"        switch (a[i] % 4)\n        {{\n        case 0: acc += sq(a[i]); break;\n        case 1: acc -= a[i] * {f % 7 + 1}; break;\n");
            s.Append("        default: acc ^= (int)i;\n        }\n    }\n    if (acc > 1000)\n        acc /= 3;\n    return acc;\n}\n");
        }
        s.Append("int main(void)\n{\n    int a[4] = {1, 2, 3, 4};\n    return fn0(a, 4) & 1;\n}\n");
        string text = s.ToString();
        if (!File.Exists(path) || File.ReadAllText(path) != text) File.WriteAllText(path, text);
        return path;
    }

    [GeneratedRegex(@"^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)")]
    private static partial Regex Row();
}
