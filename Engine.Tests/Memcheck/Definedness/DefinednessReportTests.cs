using System.Text.RegularExpressions;
using Memcheck.Engine.Tests.MemcheckTool.EndToEnd;

namespace Memcheck.Engine.Tests.MemcheckTool.Definedness;

/// <summary>
/// Undefined values through the whole engine: each error as Valgrind 3.19 printed it for the same fixture (headline,
/// frames and address description, recorded below with code addresses masked), on both backends.
/// </summary>
[Category("Slow")]
[TestFixture("jit")]
[TestFixture("interpreter")]
public class DefinednessReportTests(string backend)
{
    [Test]
    public void UninitialisedLocalTestedInAnIfIsAConditionalJumpInMain()
    {
        AssertReportedAsValgrind("definedness/uninit_if.c",
        [
            "Conditional jump or move depends on uninitialised value(s)",
            "   at 0x?: main (uninit_if.c:9)",
        ]);
    }

    [Test]
    public void WriteOfAPartlyInitialisedHeapBlockPointsAtItsFirstUndefinedByte()
    {
        AssertReportedAsValgrind("definedness/write_partial.c",
        [
            "Syscall param write(buf) points to uninitialised byte(s)",
            "   at 0x?: write (write.c:26)",
            "   by 0x?: main (write_partial.c:10)",
            " Address 0x? is 5 bytes inside a block of size 16 alloc'd",
            "   at 0x?: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)",
            "   by 0x?: main (write_partial.c:8)",
        ]);
    }

    [Test]
    public void OverlappingStrncpyIsReportedAtTheReplacement()
    {
        AssertReportedAsValgrind("definedness/strncpy_overlap.c",
        [
            "Source and destination overlap in strncpy(0x?, 0x?, 10)",
            "   at 0x?: strncpy (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)",
            "   by 0x?: main (strncpy_overlap.c:12)",
        ]);
    }

    [Test]
    public void BytesTheKernelWroteAreDefined()
    {
        var result = MemcheckRunner.Run("definedness/defined_by_kernel.c", backend);
        var lines = MemcheckRunner.Commentary(result);
        Assert.That(result.Stdout, Is.EqualTo("1\n"), result.ToString());
        Assert.That(lines, Has.Member("ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)"), string.Join('\n', lines));
    }

    [Test]
    public void UndefValueErrorsNoChecksAddressesOnly()
    {
        var lines = MemcheckRunner.Commentary(MemcheckRunner.Run("definedness/uninit_if.c", backend, "--undef-value-errors=no"));
        Assert.That(lines, Has.No.Member("Conditional jump or move depends on uninitialised value(s)"));
        Assert.That(lines, Has.No.Member("Use --track-origins=yes to see where uninitialised values come from"));
        Assert.That(lines, Has.Member("ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)"));
    }

    /// <summary>The run's only error is <paramref name="valgrind"/>, compared with hexadecimal numbers masked.</summary>
    private void AssertReportedAsValgrind(string fixture, string[] valgrind)
    {
        var lines = MemcheckRunner.Commentary(MemcheckRunner.Run(fixture, backend)).Select(Mask).ToList();
        int at = lines.IndexOf(valgrind[0]);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), string.Join('\n', lines));
        Assert.That(lines.Skip(at).Take(valgrind.Length + 1), Is.EqualTo(valgrind.Append("")));
        Assert.That(lines, Has.Member("ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)"));
    }

    private static string Mask(string line) => Regex.Replace(line, "0x[0-9A-Fa-f]+", "0x?");
}
