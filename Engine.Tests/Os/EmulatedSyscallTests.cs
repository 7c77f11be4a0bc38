using System.Text;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tests.Os;

public class EmulatedSyscallTests
{
    private const long EPERM = 1, ENOMEM = 12, EFAULT = 14, EINVAL = 22, ENOSYS = 38;
    private const ulong ArchSetGs = 0x1001, ArchSetFs = 0x1002, ArchGetFs = 0x1003, ArchGetGs = 0x1004;

    [Test]
    public void ArchPrctlSetsAndGetsTheSegmentBases()
    {
        using var guest = new GuestFixture();
        Assert.That(guest.Call("arch_prctl", ArchSetFs, 0x7000_1234_5000), Is.Zero);
        Assert.That(guest.Call("arch_prctl", ArchSetGs, 0x6000_0000_0000), Is.Zero);
        Assert.That(guest.State.FsBase, Is.EqualTo(0x7000_1234_5000));

        Assert.That(guest.Call("arch_prctl", ArchGetFs, guest.At(0)), Is.Zero);
        Assert.That(guest.Call("arch_prctl", ArchGetGs, guest.At(8)), Is.Zero);
        Assert.That(guest.Read<ulong>(0), Is.EqualTo(0x7000_1234_5000));
        Assert.That(guest.Read<ulong>(8), Is.EqualTo(0x6000_0000_0000));
    }

    [Test]
    public void ArchPrctlRefusesUnknownCodesBadBasesAndForeignPointers()
    {
        using var guest = new GuestFixture();
        Assert.That(guest.Call("arch_prctl", 0x3001, 0), Is.EqualTo(-EINVAL));
        Assert.That(guest.Call("arch_prctl", ArchSetFs, 0xFFFF_8000_0000_0000), Is.EqualTo(-EPERM));
        Assert.That(guest.Call("arch_prctl", ArchGetFs, 16), Is.EqualTo(-EFAULT));
    }

    [TestCase("/proc/self/exe")]
    [TestCase("/proc/{pid}/exe")]
    public void ReadlinkOfTheExecutableLinkGivesTheGuestPath(string link)
    {
        using var guest = new GuestFixture();
        guest.WriteString(0, link.Replace("{pid}", Environment.ProcessId.ToString()));
        long length = guest.Call("readlink", guest.At(0), guest.At(256), 4096);
        Assert.That(Encoding.UTF8.GetString(guest.Bytes(256, (int)length)), Is.EqualTo("/opt/guest/bin/program"));
    }

    [Test]
    public void ReadlinkatTruncatesTheGuestPathToTheBuffer()
    {
        using var guest = new GuestFixture();
        guest.WriteString(0, "/proc/self/exe");
        Assert.That(guest.Call("readlinkat", unchecked((ulong)-100), guest.At(0), guest.At(256), 4), Is.EqualTo(4));
        Assert.That(Encoding.UTF8.GetString(guest.Bytes(256, 5)), Is.EqualTo("/opt\0"));
    }

    [Test]
    public void ReadlinkOfOtherLinksReachesTheHost()
    {
        using var guest = new GuestFixture();
        string target = Path.GetTempFileName();
        string link = target + ".link";
        File.CreateSymbolicLink(link, target);
        try
        {
            guest.WriteString(0, link);
            long length = guest.Call("readlink", guest.At(0), guest.At(1024), 1024);
            Assert.That(Encoding.UTF8.GetString(guest.Bytes(1024, (int)length)), Is.EqualTo(target));
        }
        finally
        {
            File.Delete(link);
            File.Delete(target);
        }
    }

    [Test]
    public void UnknownSyscallGivesEnosysAndValgrindsWarning()
    {
        using var guest = new GuestFixture();
        var (outcome, rax) = guest.Outcome(999, 1, 2);
        Assert.That((long)rax, Is.EqualTo(-ENOSYS));
        Assert.That(outcome, Is.EqualTo(SyscallOutcome.Continue));
        string pid = Environment.ProcessId.ToString();
        Assert.That(guest.Warnings.ToString(), Is.EqualTo(
            $"--{pid}-- WARNING: unhandled amd64-linux syscall: 999\n" +
            $"--{pid}-- You may be able to write your own handler.\n" +
            $"--{pid}-- Read the file README_MISSING_SYSCALL_OR_IOCTL.\n" +
            $"--{pid}-- Nevertheless we consider this a bug.  Please report\n" +
            $"--{pid}-- it at http://valgrind.org/support/bug_reports.html.\n"));
    }

    [TestCase("modify_ldt")]
    [TestCase("shmat")]
    [TestCase("set_thread_area")]
    public void UnsupportedSyscallGivesEnosysWithTheWarning(string name)
    {
        using var guest = new GuestFixture();
        Assert.That(guest.Call(name), Is.EqualTo(-ENOSYS));
        Assert.That(guest.Warnings.ToString(), Does.Contain($"unhandled amd64-linux syscall: {SyscallTable.Named(name).Number}\n"));
    }

    [Test]
    public void RseqIsRefusedQuietly()
    {
        using var guest = new GuestFixture();
        Assert.That(guest.Call("rseq", guest.At(0), 32, 0, 0x53053053), Is.EqualTo(-ENOSYS));
        Assert.That(guest.Warnings.ToString(), Is.Empty);
    }

    [TestCase("exit_group")]
    [TestCase("exit")]
    public void ExitEndsTheGuestWithTheStatusLowByte(string name)
    {
        using var guest = new GuestFixture();
        var (outcome, _) = guest.Outcome(SyscallTable.Named(name).Number, 0x107);
        Assert.That(outcome, Is.EqualTo(SyscallOutcome.Exit(7)));
    }

    [Test]
    public void SetTidAddressRecordsThePointerAndReturnsTheThreadId()
    {
        using var guest = new GuestFixture();
        long tid = guest.Call("gettid");
        Assert.That(guest.Call("set_tid_address", guest.At(0)), Is.EqualTo(tid));
        Assert.That(guest.Handler.ClearChildTid, Is.EqualTo(guest.At(0)));
    }

    [Test]
    public void SetRobustListRecordsTheHeadOfTheKernelsSize()
    {
        using var guest = new GuestFixture();
        Assert.That(guest.Call("set_robust_list", guest.At(64), 24), Is.Zero);
        Assert.That(guest.Handler.RobustListHead, Is.EqualTo(guest.At(64)));
        Assert.That(guest.Call("set_robust_list", guest.At(64), 16), Is.EqualTo(-EINVAL));
    }

    [Test]
    public void StackLimitIsTheGuestsAndNeverTheHosts()
    {
        using var guest = new GuestFixture();
        var host = ResourceLimit.OfHost(ResourceLimit.RlimitStack);
        guest.Process.StackLimit = new ResourceLimit(8 << 20, 64 << 20);

        Assert.That(guest.Call("getrlimit", ResourceLimit.RlimitStack, guest.At(0)), Is.Zero);
        Assert.That(guest.Read<ResourceLimit>(0), Is.EqualTo(new ResourceLimit(8 << 20, 64 << 20)));

        guest.Read<ResourceLimit>(16) = new ResourceLimit(1 << 20, 32 << 20);
        Assert.That(guest.Call("setrlimit", ResourceLimit.RlimitStack, guest.At(16)), Is.Zero);
        Assert.That(guest.Process.StackLimit, Is.EqualTo(new ResourceLimit(1 << 20, 32 << 20)));
        Assert.That(ResourceLimit.OfHost(ResourceLimit.RlimitStack), Is.EqualTo(host));

        guest.Read<ResourceLimit>(16) = new ResourceLimit(1 << 20, 33 << 20);
        Assert.That(guest.Call("setrlimit", ResourceLimit.RlimitStack, guest.At(16)), Is.EqualTo(-EPERM), "raising the hard limit");
        guest.Read<ResourceLimit>(16) = new ResourceLimit(2 << 20, 1 << 20);
        Assert.That(guest.Call("setrlimit", ResourceLimit.RlimitStack, guest.At(16)), Is.EqualTo(-EINVAL), "soft above hard");
    }

    [Test]
    public void Prlimit64OfOwnStackSwapsTheGuestLimit()
    {
        using var guest = new GuestFixture();
        guest.Process.StackLimit = new ResourceLimit(8 << 20, 64 << 20);
        guest.Read<ResourceLimit>(0) = new ResourceLimit(4 << 20, 64 << 20);
        Assert.That(guest.Call("prlimit64", 0, ResourceLimit.RlimitStack, guest.At(0), guest.At(16)), Is.Zero);
        Assert.That(guest.Read<ResourceLimit>(16), Is.EqualTo(new ResourceLimit(8 << 20, 64 << 20)));
        Assert.That(guest.Process.StackLimit, Is.EqualTo(new ResourceLimit(4 << 20, 64 << 20)));
    }

    [Test]
    public void OtherResourceLimitsComeFromTheHost()
    {
        using var guest = new GuestFixture();
        const int rlimitNofile = 7;
        Assert.That(guest.Call("getrlimit", rlimitNofile, guest.At(0)), Is.Zero);
        Assert.That(guest.Read<ResourceLimit>(0), Is.EqualTo(ResourceLimit.OfHost(rlimitNofile)));
    }

    [Test]
    public void MemorySyscallsGoToTheAddressSpace()
    {
        using var guest = new GuestFixture();
        guest.AddressSpace.Result = 0x5000_0000;
        Assert.That(guest.Call("mmap", 0, 8192, 3, 0x22, unchecked((ulong)-1), 0), Is.EqualTo(0x5000_0000));
        guest.Call("munmap", 0x5000_0000, 4096);
        guest.Call("mprotect", 0x5000_1000, 4096, 1);
        guest.Call("mremap", 0x5000_1000, 4096, 8192, 1, 0);
        guest.Call("brk", 0x60_0000);
        Assert.That(guest.AddressSpace.Calls, Is.EqualTo(new[]
        {
            "mmap 0 8192 3 34 -1 0", "munmap 50000000 4096", "mprotect 50001000 4096 1",
            "mremap 50001000 4096 8192 1 0", "brk 600000",
        }));
    }

    [Test]
    public void MadviseDiscardsOnlyGuestMemory()
    {
        using var guest = new GuestFixture();
        const ulong dontNeed = 4;
        byte[] host = new byte[8192];
        unsafe
        {
            fixed (byte* hostBytes = host)
                Assert.That(guest.Call("madvise", (ulong)hostBytes & ~4095UL, 4096, dontNeed), Is.EqualTo(-ENOMEM));
        }
        guest.Bytes(0, 1)[0] = 9;
        Assert.That(guest.Call("madvise", guest.At(0), 4096, dontNeed), Is.Zero);
    }
}

public class HostProtectionTests
{
    [Test]
    public void PrctlCannotInstallASeccompFilterButOtherOptionsPass()
    {
        using var guest = new GuestFixture();
        const ulong prSetSeccomp = 22, seccompModeStrict = 1, prGetDumpable = 3;
        Assert.That(guest.Call("prctl", prSetSeccomp, seccompModeStrict), Is.EqualTo(-22));
        Assert.That(guest.Call("prctl", prGetDumpable), Is.GreaterThanOrEqualTo(0));
    }
}
