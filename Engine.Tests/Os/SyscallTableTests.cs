using System.Diagnostics;
using System.Text.RegularExpressions;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tests.Os;

public class SyscallTableTests
{
    private const string Header = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";

    private static IEnumerable<(string Name, int Number)> HeaderSyscalls() =>
        File.ReadLines(Header)
            .Select(line => Regex.Match(line, @"^#define __NR_(\w+) (\d+)$"))
            .Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, int.Parse(m.Groups[2].Value)));

    [Test]
    public void TableHasEveryNumberOfTheKernelHeaderUnderItsName()
    {
        var header = HeaderSyscalls().ToList();
        Assert.That(header, Has.Count.GreaterThan(300));
        foreach (var (name, number) in header)
            Assert.That(SyscallTable.Find((ulong)number)?.Name, Is.EqualTo(name), $"syscall {number}");
        Assert.That(SyscallTable.Entries, Has.Count.EqualTo(header.Count));
    }

    [Test]
    public void NumbersOutsideTheHeaderAreNotFound()
    {
        Assert.That(SyscallTable.Find(999), Is.Null);
        Assert.That(SyscallTable.Find(ulong.MaxValue), Is.Null);
    }

    [Test]
    public void CommonSyscallsHaveTheirLayouts()
    {
        Assert.That(SyscallTable.Named("read").Arguments,
            Is.EqualTo(new[] { SyscallArg.Fd("fd"), SyscallArg.OutReturned("buf", 2), SyscallArg.Scalar("count") }));
        Assert.That(SyscallTable.Named("openat").Arguments, Is.EqualTo(new[]
        {
            SyscallArg.Fd("dfd"), SyscallArg.CString("filename"), SyscallArg.Scalar("flags"), SyscallArg.Scalar("mode"),
        }));
        Assert.That(SyscallTable.Named("fstat").Arguments![1], Is.EqualTo(SyscallArg.OutStruct("buf", 144)));
        Assert.That(SyscallTable.Named("getpid").Arguments, Is.Empty);
        Assert.That(SyscallTable.Named("futex").Arguments, Is.Null, "not described yet");
    }

    [Test]
    public void DescribedArgumentsAreNamedUniquelyAndCountsPointInside()
    {
        foreach (var entry in SyscallTable.Entries.Where(e => e.Arguments is not null))
        {
            var layout = entry.Arguments!;
            Assert.That(layout, Has.Count.LessThanOrEqualTo(6), entry.Name);
            Assert.That(layout.Select(a => a.Name), Is.Unique, entry.Name);
            foreach (var arg in layout.Where(a => a.SizeArg >= 0))
                Assert.That(arg.SizeArg, Is.LessThan(layout.Count), $"{entry.Name}({arg.Name})");
        }
    }

    [Test]
    public void WrittenCapacityFollowsTheCountArgument()
    {
        ulong[] args = [3, 0x1000, 100, 0, 0, 0];
        Assert.That(SyscallArg.OutReturned("buf", 2).WrittenCapacity(args), Is.EqualTo(100));
        Assert.That(SyscallArg.InOut("ufds", 2, 8).WrittenCapacity(args), Is.EqualTo(800));
        Assert.That(SyscallArg.OutStruct("buf", 144).WrittenCapacity(args), Is.EqualTo(144));
        Assert.That(SyscallArg.FdSet("readfds", 2).WrittenCapacity(args), Is.EqualTo(16), "100 descriptors need two longs");
        Assert.That(SyscallArg.In("buf", 2).WrittenCapacity(args), Is.Null);
    }

    [Test]
    public void EmulatedEntriesAreExactlyTheOnesTheHandlerEmulates()
    {
        using var guest = new GuestFixture();
        var emulated = SyscallTable.Entries.Where(e => e.Treatment == SyscallTreatment.Emulated).Select(e => e.Number);
        Assert.That(guest.Handler.EmulatedNumbers, Is.EquivalentTo(emulated));
    }

    [Test]
    public void CheckedInTableIsWhatTheScriptGenerates()
    {
        string osDir = Path.Combine(RepositoryRoot(), "Engine", "Os");
        string output = Path.Combine(Path.GetTempPath(), $"syscall-table-{Guid.NewGuid():N}.cs");
        try
        {
            using var script = Process.Start(new ProcessStartInfo("bash", [Path.Combine(osDir, "gen-syscall-table.sh"), output])
                { RedirectStandardError = true })!;
            string errors = script.StandardError.ReadToEnd();
            script.WaitForExit();
            Assert.That(script.ExitCode, Is.Zero, errors);
            Assert.That(File.ReadAllText(output), Is.EqualTo(File.ReadAllText(Path.Combine(osDir, "SyscallTable.Generated.cs"))),
                "rerun Engine/Os/gen-syscall-table.sh after editing syscall-layouts.txt");
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Memcheck.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("no Memcheck.sln above the test directory");
    }
}
