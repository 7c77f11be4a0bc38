namespace Memcheck.Engine.Tests.Golden;

/// <summary>What the golden comparison ignores, and what it keeps exact.</summary>
public class ReportNormaliserTests
{
    private const string Report = """
        ==4242== Memcheck, a memory error detector
        ==4242== Copyright (C) 2002-2022, and GNU GPL'd, by Julian Seward et al.
        ==4242== Using Valgrind-3.19.0 and LibVEX; rerun with -h for copyright info
        ==4242== Command: /tmp/build/leak
        ==4242== 
        ==4242== Invalid read of size 4
        ==4242==    at 0x10916A: main (leak.c:9)
        ==4242==  Address 0x4a40068 is 0 bytes after a block of size 40 alloc'd
        ==4242==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
        ==4242==    by 0x10915E: main (leak.c:7)
        ==4242== 
        ==4242== HEAP SUMMARY:
        ==4242==     in use at exit: 40 bytes in 1 blocks
        ==4242==   total heap usage: 1 allocs, 0 frees, 40 bytes allocated
        ==4242== 
        ==4242== 40 bytes in 1 blocks are definitely lost in loss record 7 of 9
        ==4242==    at 0x48417B4: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)
        ==4242==    by 0x10915E: main (leak.c:7)
        ==4242== 
        ==4242== For lists of detected and suppressed errors, rerun with: -s
        ==4242== ERROR SUMMARY: 2 errors from 2 contexts (suppressed: 0 from 0)
        """;

    [Test]
    public void MemcheckReportsLoseEngineHeaderPidProgramAndAddressesButKeepTheRest()
    {
        var lines = ReportNormaliser.Normalise(Report, "/tmp/build/leak", memcheck: true);
        Assert.That(lines, Has.None.Contains("Copyright").And.None.Contains("LibVEX").And.None.Contains("4242"));
        Assert.That(lines, Does.Contain("==PID== Command: PROGRAM"));
        Assert.That(lines, Does.Contain("==PID==  Address 0xADDR is 0 bytes after a block of size 40 alloc'd"));
        Assert.That(lines, Does.Contain("==PID==    at 0xADDR: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)"));
    }

    [Test]
    public void LinesTheClientPrintsThroughValgrindLoseTheirPid() =>
        Assert.That(ReportNormaliser.Normalise("**4242** *** memcpy_chk: buffer overflow detected ***: program terminated", null, memcheck: true),
            Is.EqualTo(new[] { "**PID** *** memcpy_chk: buffer overflow detected ***: program terminated" }));

    [Test]
    public void NoneReportsKeepTheirAddresses() =>
        Assert.That(ReportNormaliser.Normalise(Report, "/tmp/build/leak", memcheck: false),
            Does.Contain("==PID==    at 0x10916A: main (leak.c:9)"));

    [Test]
    public void SummariesKeepErrorsAndSummariesAndDropHintsAndLossRecordNumbers()
    {
        var summaries = ReportNormaliser.Summaries(ReportNormaliser.Normalise(Report, "/tmp/build/leak", memcheck: true));
        Assert.That(summaries, Is.EqualTo(new[]
        {
            "==PID== Invalid read of size 4",
            "==PID==    at 0xADDR: main (leak.c:9)",
            "==PID==  Address 0xADDR is 0 bytes after a block of size 40 alloc'd",
            "==PID==    at 0xADDR: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)",
            "==PID==    by 0xADDR: main (leak.c:7)",
            "==PID== HEAP SUMMARY:",
            "==PID==     in use at exit: 40 bytes in 1 blocks",
            "==PID==   total heap usage: 1 allocs, 0 frees, 40 bytes allocated",
            "==PID== 40 bytes in 1 blocks are definitely lost",
            "==PID==    at 0xADDR: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)",
            "==PID==    by 0xADDR: main (leak.c:7)",
            "==PID== ERROR SUMMARY: 2 errors from 2 contexts (suppressed: 0 from 0)",
        }));
    }

    [Test]
    public void DiffNamesTheFirstDifferingLineAndMarksEachSide()
    {
        string diff = ReportDiff.Describe(["a", "b", "c"], ["a", "x", "c"]);
        Assert.That(diff, Does.Contain("first difference at line 2:"));
        Assert.That(diff, Does.Contain("  valgrind: b").And.Contain("  memcheck: x"));
        Assert.That(diff, Does.Contain("- b").And.Contain("+ x").And.Contain("  c"));
    }

    [Test]
    public void DiffOfHugeReportsShowsWhereTheyPartInsteadOfDiffing()
    {
        var expected = Enumerable.Range(0, 3000).Select(i => $"line {i}").ToList();
        var actual = expected.Select((l, i) => i == 5 ? "changed" : l).ToList();
        string diff = ReportDiff.Describe(expected, actual);
        Assert.That(diff, Does.Contain("first difference at line 6:").And.Contain("+ changed").And.Not.Contain("diff (-"));
    }
}
