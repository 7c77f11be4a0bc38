using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tests.Os;

public class SignalSyscallTests
{
    private const long EPERM = 1, ENOMEM = 12, EINVAL = 22;
    private const int SigUsr1 = 10, SigKill = 9;

    [Test]
    public void RtSigactionRecordsTheActionAndReturnsTheOldOne()
    {
        using var guest = new GuestFixture();
        var first = new SignalAction(0x401000, 0x04000000, 0x402000, 1UL << 1);
        var second = new SignalAction(0x403000, 0, 0, 0);
        guest.Read<SignalAction>(0) = first;
        Assert.That(guest.Call("rt_sigaction", SigUsr1, guest.At(0), 0, 8), Is.Zero);

        guest.Read<SignalAction>(32) = second;
        Assert.That(guest.Call("rt_sigaction", SigUsr1, guest.At(32), guest.At(64), 8), Is.Zero);
        Assert.That(guest.Read<SignalAction>(64), Is.EqualTo(first));
        Assert.That(guest.Handler.Signals.GetAction(SigUsr1), Is.EqualTo(second));
    }

    [Test]
    public void RtSigactionRefusesKillBadSignalsAndBadSetSize()
    {
        using var guest = new GuestFixture();
        Assert.That(guest.Call("rt_sigaction", SigKill, guest.At(0), 0, 8), Is.EqualTo(-EINVAL));
        Assert.That(guest.Call("rt_sigaction", SigKill, 0, guest.At(0), 8), Is.Zero, "SIGKILL's action may be read");
        Assert.That(guest.Call("rt_sigaction", 65, 0, guest.At(0), 8), Is.EqualTo(-EINVAL));
        Assert.That(guest.Call("rt_sigaction", SigUsr1, guest.At(0), 0, 16), Is.EqualTo(-EINVAL));
    }

    [Test]
    public void RtSigprocmaskBlocksUnblocksAndReportsTheOldMask()
    {
        using var guest = new GuestFixture();
        const ulong block = 0, unblock = 1, setMask = 2;
        guest.Read<ulong>(0) = 0b1010;
        Assert.That(guest.Call("rt_sigprocmask", block, guest.At(0), 0, 8), Is.Zero);
        guest.Read<ulong>(0) = 0b0110;
        Assert.That(guest.Call("rt_sigprocmask", block, guest.At(0), guest.At(8), 8), Is.Zero);
        Assert.That(guest.Read<ulong>(8), Is.EqualTo(0b1010));
        guest.Read<ulong>(0) = 0b0010;
        guest.Call("rt_sigprocmask", unblock, guest.At(0), 0, 8);
        Assert.That(guest.Handler.Current.SignalMask, Is.EqualTo(0b1100));

        guest.Read<ulong>(0) = ulong.MaxValue;
        guest.Call("rt_sigprocmask", setMask, guest.At(0), 0, 8);
        Assert.That(guest.Handler.Current.SignalMask, Is.EqualTo(~GuestSignalState.Unblockable), "SIGKILL and SIGSTOP stay unblocked");
        Assert.That(guest.Call("rt_sigprocmask", 7, guest.At(0), 0, 8), Is.EqualTo(-EINVAL));
    }

    [Test]
    public void SigaltstackRecordsTheStackAndReportsItBack()
    {
        using var guest = new GuestFixture();
        Assert.That(guest.Call("sigaltstack", 0, guest.At(0)), Is.Zero);
        Assert.That(guest.Read<SignalStack>(0).Flags, Is.EqualTo(SignalStack.Disable));

        guest.Read<SignalStack>(32) = new SignalStack { Sp = 0x7000_0000, Size = 65536 };
        Assert.That(guest.Call("sigaltstack", guest.At(32), 0), Is.Zero);
        Assert.That(guest.Call("sigaltstack", 0, guest.At(64)), Is.Zero);
        Assert.That(guest.Read<SignalStack>(64), Is.EqualTo(new SignalStack { Sp = 0x7000_0000, Size = 65536 }));
    }

    [Test]
    public unsafe void SigaltstackRefusesSmallStacksAndChangesWhileOnIt()
    {
        using var guest = new GuestFixture();
        guest.Read<SignalStack>(0) = new SignalStack { Sp = 0x7000_0000, Size = 1024 };
        Assert.That(guest.Call("sigaltstack", guest.At(0), 0), Is.EqualTo(-ENOMEM));

        guest.Read<SignalStack>(0) = new SignalStack { Sp = 0x7000_0000, Size = 65536 };
        guest.Call("sigaltstack", guest.At(0), 0);
        guest.State.Gpr[4] = 0x7000_8000; // RSP inside the alternate stack
        Assert.That(guest.Call("sigaltstack", 0, guest.At(32)), Is.Zero);
        Assert.That(guest.Read<SignalStack>(32).Flags, Is.EqualTo(SignalStack.OnStack));
        Assert.That(guest.Call("sigaltstack", guest.At(0), 0), Is.EqualTo(-EPERM));
    }
}

public class SelfSignalTests
{
    private const long EINVAL = 22;
    private const int SigAbrt = 6, SigUsr1 = 10, SigUsr2 = 12;

    [Test]
    public void SignalsTheGuestSendsItselfWaitInTheGuest()
    {
        using var guest = new GuestFixture();
        ulong pid = (ulong)Environment.ProcessId;
        ulong tid = (ulong)guest.Call("gettid");
        Assert.That(guest.Call("kill", pid, SigUsr1), Is.Zero);
        Assert.That(guest.Call("tgkill", pid, tid, SigAbrt), Is.Zero);
        Assert.That(guest.Call("tkill", tid, SigUsr2), Is.Zero);
        Assert.That(guest.Handler.Signals.Pending, Is.EqualTo(1UL << (SigUsr1 - 1) | 1UL << (SigAbrt - 1) | 1UL << (SigUsr2 - 1)));
    }

    [Test]
    public void SignalZeroOnlyProbesAndBadSignalsFail()
    {
        using var guest = new GuestFixture();
        ulong pid = (ulong)Environment.ProcessId;
        Assert.That(guest.Call("kill", pid, 0), Is.Zero);
        Assert.That(guest.Call("kill", pid, 65), Is.EqualTo(-EINVAL));
        Assert.That(guest.Handler.Signals.Pending, Is.Zero);
    }
}

public class PendingSignalTests
{
    [Test]
    public void RtSigpendingReportsTheBlockedOnesTheGuestRaised()
    {
        using var guest = new GuestFixture();
        const int sigUsr1 = 10, sigUsr2 = 12;
        guest.Handler.Current.SignalMask = 1UL << (sigUsr1 - 1);
        guest.Call("kill", (ulong)Environment.ProcessId, sigUsr1);
        guest.Call("kill", (ulong)Environment.ProcessId, sigUsr2);
        Assert.That(guest.Call("rt_sigpending", guest.At(0), 8), Is.Zero);
        Assert.That(guest.Read<ulong>(0), Is.EqualTo(1UL << (sigUsr1 - 1)));
    }
}
