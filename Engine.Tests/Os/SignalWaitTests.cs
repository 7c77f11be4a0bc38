using System.Diagnostics;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tests.Os;

/// <summary>rt_sigtimedwait and signalfd take the guest's pending signals, which never reach the host's kernel.</summary>
public class SignalWaitTests
{
    private const long EINTR = 4, EAGAIN = 11, EFAULT = 14, EINVAL = 22;
    private const int SigUsr1 = 10, SigUsr2 = 12, SiUser = 0, SiQueue = -1, SiTkill = -6;
    private const ulong SfdNonBlock = 0x800;
    private static ulong Bit(int signal) => 1UL << (signal - 1);
    private static ulong Pid => (ulong)Environment.ProcessId;

    [Test]
    public void SigtimedwaitTakesABlockedPendingSignalWithItsSiginfo()
    {
        using var guest = new GuestFixture();
        var thread = guest.Handler.Current;
        thread.SignalMask = Bit(SigUsr1);
        guest.Call("tgkill", Pid, (ulong)thread.Tid, SigUsr1);
        guest.Read<ulong>(0) = Bit(SigUsr1) | Bit(SigUsr2);

        Assert.That(guest.Call("rt_sigtimedwait", guest.At(0), guest.At(64), guest.At(32), 8), Is.EqualTo(SigUsr1));
        Assert.That(guest.Read<int>(64), Is.EqualTo(SigUsr1), "si_signo");
        Assert.That(guest.Read<int>(64 + 8), Is.EqualTo(SiTkill), "si_code");
        Assert.That(guest.Read<int>(64 + 16), Is.EqualTo(Environment.ProcessId), "si_pid");
        Assert.That(thread.PendingSignals | guest.Handler.Signals.Pending, Is.Zero, "taken, not left pending");
        Assert.That(thread.SignalMask, Is.EqualTo(Bit(SigUsr1)), "the mask is the one from before the wait");
    }

    [Test]
    public void SigtimedwaitFailsWithEagainWhenNothingComesBeforeItsTimeout()
    {
        using var guest = new GuestFixture();
        guest.Read<ulong>(0) = Bit(SigUsr1);
        guest.Read<long>(32) = 0;
        guest.Read<long>(40) = 30_000_000;
        var waited = Stopwatch.StartNew();
        Assert.That(guest.Call("rt_sigtimedwait", guest.At(0), 0, guest.At(32), 8), Is.EqualTo(-EAGAIN));
        Assert.That(waited.ElapsedMilliseconds, Is.GreaterThanOrEqualTo(30));
    }

    [Test]
    public void SigtimedwaitEndsWithEintrForASignalWithAHandler()
    {
        using var guest = new GuestFixture();
        guest.Handler.Signals.SetAction(SigUsr2, new SignalAction(0x401000, 0, 0, 0));
        guest.Call("kill", Pid, SigUsr2);
        guest.Read<ulong>(0) = Bit(SigUsr1);
        guest.Read<long>(40) = 500_000_000;
        Assert.That(guest.Call("rt_sigtimedwait", guest.At(0), 0, guest.At(32), 8), Is.EqualTo(-EINTR));
        Assert.That(guest.Handler.Signals.Pending, Is.EqualTo(Bit(SigUsr2)), "left for the dispatcher to deliver");
    }

    [Test]
    public void SigtimedwaitRefusesBadSetSizesTimeoutsAndPointers()
    {
        using var guest = new GuestFixture();
        guest.Read<ulong>(0) = Bit(SigUsr1);
        Assert.That(guest.Call("rt_sigtimedwait", guest.At(0), 0, guest.At(32), 16), Is.EqualTo(-EINVAL));
        guest.Read<long>(40) = 1_000_000_000;
        Assert.That(guest.Call("rt_sigtimedwait", guest.At(0), 0, guest.At(32), 8), Is.EqualTo(-EINVAL));
        Assert.That(guest.Call("rt_sigtimedwait", 8, 0, guest.At(32), 8), Is.EqualTo(-EFAULT));
    }

    [Test]
    public void SigqueueinfoGivesSigtimedwaitItsValue()
    {
        using var guest = new GuestFixture();
        guest.Handler.Current.SignalMask = Bit(SigUsr1);
        guest.Read<int>(128 + 8) = SiQueue;
        guest.Read<int>(128 + 16) = Environment.ProcessId;
        guest.Read<long>(128 + 24) = 42;
        Assert.That(guest.Call("rt_sigqueueinfo", Pid, SigUsr1, guest.At(128)), Is.Zero);

        guest.Read<ulong>(0) = Bit(SigUsr1);
        Assert.That(guest.Call("rt_sigtimedwait", guest.At(0), guest.At(256), guest.At(32), 8), Is.EqualTo(SigUsr1));
        Assert.That(guest.Read<int>(256), Is.EqualTo(SigUsr1), "si_signo is the signal sent");
        Assert.That(guest.Read<int>(256 + 8), Is.EqualTo(SiQueue));
        Assert.That(guest.Read<long>(256 + 24), Is.EqualTo(42), "si_value");
    }

    [Test]
    public unsafe void SignalfdReadsThePendingSignalsOfItsMaskAsRecordsAndPollsReadableMeanwhile()
    {
        using var guest = new GuestFixture();
        guest.Handler.Current.SignalMask = Bit(SigUsr2);
        guest.Read<ulong>(0) = Bit(SigUsr2);
        long fd = guest.Call("signalfd4", ulong.MaxValue, guest.At(0), 8, SfdNonBlock);
        Assert.That(fd, Is.GreaterThan(2));
        try
        {
            Assert.That(guest.Call("read", (ulong)fd, guest.At(256), 128), Is.EqualTo(-EAGAIN));
            Assert.That(Readable((int)fd), Is.False);

            guest.Call("kill", Pid, SigUsr2);
            Assert.That(Readable((int)fd), Is.True);
            Assert.That(guest.Call("read", (ulong)fd, guest.At(256), 512), Is.EqualTo(128), "one record: one signal pending");
            Assert.That(guest.Read<uint>(256), Is.EqualTo(SigUsr2), "ssi_signo");
            Assert.That(guest.Read<int>(256 + 8), Is.EqualTo(SiUser), "ssi_code");
            Assert.That(guest.Read<uint>(256 + 12), Is.EqualTo((uint)Environment.ProcessId), "ssi_pid");
            Assert.That(guest.Handler.Signals.Pending, Is.Zero);
            Assert.That(Readable((int)fd), Is.False);
            Assert.That(guest.Call("read", (ulong)fd, guest.At(256), 128), Is.EqualTo(-EAGAIN));
        }
        finally
        {
            guest.Call("close", (ulong)fd);
        }
    }

    [Test]
    public void SignalfdRefusesOtherDescriptorsBadFlagsAndShortReads()
    {
        using var guest = new GuestFixture();
        guest.Read<ulong>(0) = Bit(SigUsr1);
        Assert.That(guest.Call("signalfd4", 0, guest.At(0), 8, 0), Is.EqualTo(-EINVAL), "stdin is no signalfd");
        Assert.That(guest.Call("signalfd4", ulong.MaxValue, guest.At(0), 8, 1), Is.EqualTo(-EINVAL));
        Assert.That(guest.Call("signalfd4", ulong.MaxValue, guest.At(0), 16, 0), Is.EqualTo(-EINVAL));
        long fd = guest.Call("signalfd", ulong.MaxValue, guest.At(0), 8);
        try
        {
            Assert.That(guest.Call("read", (ulong)fd, guest.At(256), 127), Is.EqualTo(-EINVAL));
        }
        finally
        {
            guest.Call("close", (ulong)fd);
        }
    }

    [Test]
    public void DuplicatedSignalfdReadsTheSameSignalsAfterTheOriginalCloses()
    {
        using var guest = new GuestFixture();
        guest.Handler.Current.SignalMask = Bit(SigUsr1) | Bit(SigUsr2);
        guest.Read<ulong>(0) = Bit(SigUsr1);
        long fd = guest.Call("signalfd4", ulong.MaxValue, guest.At(0), 8, SfdNonBlock);
        long copy = guest.Call("dup", (ulong)fd);
        try
        {
            guest.Read<ulong>(0) = Bit(SigUsr2);
            Assert.That(guest.Call("signalfd4", (ulong)copy, guest.At(0), 8, 0), Is.EqualTo(copy), "a new mask for both");
            guest.Call("close", (ulong)fd);
            guest.Call("kill", Pid, SigUsr2);
            Assert.That(guest.Call("read", (ulong)copy, guest.At(256), 128), Is.EqualTo(128));
            Assert.That(guest.Read<uint>(256), Is.EqualTo(SigUsr2));
        }
        finally
        {
            guest.Call("close", (ulong)copy);
        }
    }

    [Test]
    public void WriteToAPipeWithoutReaderSendsTheWriterSigpipe()
    {
        using var guest = new GuestFixture();
        const int sigPipe = 13, epipe = 32;
        Assert.That(guest.Call("pipe2", guest.At(0), 0), Is.Zero);
        int readEnd = guest.Read<int>(0), writeEnd = guest.Read<int>(4);
        guest.Call("close", (ulong)readEnd);
        Assert.That(guest.Call("write", (ulong)writeEnd, guest.At(8), 1), Is.EqualTo(-epipe));
        guest.Call("close", (ulong)writeEnd);
        Assert.That(guest.Handler.Current.PendingSignals, Is.EqualTo(Bit(sigPipe)), "sent to the thread that wrote");
    }

    [Test]
    public void SendWithMsgNosignalFailsWithoutSigpipe()
    {
        using var guest = new GuestFixture();
        const ulong afUnix = 1, sockStream = 1, msgNoSignal = 0x4000;
        const int epipe = 32;
        Assert.That(guest.Call("socketpair", afUnix, sockStream, 0, guest.At(0)), Is.Zero);
        int one = guest.Read<int>(0), other = guest.Read<int>(4);
        guest.Call("close", (ulong)other);
        Assert.That(guest.Call("sendto", (ulong)one, guest.At(8), 1, msgNoSignal, 0, 0), Is.EqualTo(-epipe));
        guest.Call("close", (ulong)one);
        Assert.That(guest.Handler.Current.PendingSignals, Is.Zero);
    }

    [Test]
    public void InterruptedSyscallRestartsUnlessAHandlerRunsAndThenOnlyWithSaRestart()
    {
        using var guest = new GuestFixture();
        const int sigChld = 17, sigTerm = 15;
        var delivery = guest.Handler.Delivery;
        var thread = guest.Handler.Current;
        Assert.That(delivery.InterruptionOf(thread), Is.EqualTo(SignalDelivery.Interruption.Restart), "nothing for this thread");

        guest.Call("kill", Pid, sigChld);
        Assert.That(delivery.InterruptionOf(thread), Is.EqualTo(SignalDelivery.Interruption.Restart), "SIGCHLD is ignored by default");

        thread.SignalMask = Bit(SigUsr1) | Bit(SigUsr2) | Bit(sigTerm);
        guest.Handler.Signals.SetAction(SigUsr1, new SignalAction(0x401000, SignalDelivery.SaRestart, 0, 0));
        guest.Handler.Signals.SetAction(SigUsr2, new SignalAction(0x401000, 0, 0, 0));
        guest.Call("kill", Pid, SigUsr1);
        guest.Call("kill", Pid, SigUsr2);
        guest.Call("kill", Pid, sigTerm);
        Assert.That(delivery.InterruptionOf(thread), Is.EqualTo(SignalDelivery.Interruption.Restart), "all blocked");

        thread.SignalMask = Bit(SigUsr2) | Bit(sigTerm);
        Assert.That(delivery.InterruptionOf(thread), Is.EqualTo(SignalDelivery.Interruption.RestartingHandler));
        thread.SignalMask = Bit(SigUsr1) | Bit(sigTerm);
        Assert.That(delivery.InterruptionOf(thread), Is.EqualTo(SignalDelivery.Interruption.Interrupt));
        thread.SignalMask = Bit(SigUsr1) | Bit(SigUsr2);
        Assert.That(delivery.InterruptionOf(thread), Is.EqualTo(SignalDelivery.Interruption.Interrupt), "SIGTERM ends the process");
    }

    private static unsafe bool Readable(int fd)
    {
        ulong pollFd = (uint)fd | 1UL << 32; // POLLIN
        return Poll(&pollFd, 1, 0) == 1;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "poll")]
    private static extern unsafe int Poll(ulong* fds, ulong count, int timeout);
}
