using Memcheck.Engine.Cpu;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tests.Os;

/// <summary>Signal frames: what the handler starts with, and rt_sigreturn putting everything back.</summary>
public unsafe class SignalDeliveryTests
{
    private const int SigUsr1 = 10, SigUsr2 = 12, SigChld = 17;
    private const int UcSigmask = 296; // uc_sigmask in the ucontext rdx points at
    private const ulong Handler = 0x40_1000, Restorer = 0x40_2000, InterruptedPc = 0x40_3000;
    private const ulong SaRestorer = 0x0400_0000;

    [Test]
    public void HandlerStartsOnAFrameWithSiginfoAndTheSignalBlocked()
    {
        using var guest = SetUpHandler(out ulong stackTop);

        Assert.That(guest.Handler.Delivery.DeliverPending(Registers(guest)), Is.Zero);

        ref var s = ref guest.State;
        Assert.That(s.Rip, Is.EqualTo(Handler));
        Assert.That(s.Gpr[7], Is.EqualTo((ulong)SigUsr1), "rdi: the signal number");
        ulong sp = s.Gpr[4];
        Assert.That(sp, Is.LessThan(stackTop - 128), "the frame stays clear of the red zone");
        Assert.That((sp + 8) % 16, Is.Zero, "the handler starts as a called function");
        Assert.That(*(ulong*)sp, Is.EqualTo(Restorer), "it returns into sa_restorer");
        Assert.That(*(int*)s.Gpr[6], Is.EqualTo(SigUsr1), "rsi: siginfo.si_signo");
        Assert.That(*(ulong*)(s.Gpr[2] + 0xA8), Is.EqualTo(InterruptedPc), "rdx: ucontext with the interrupted RIP");
        Assert.That(guest.Handler.Current.SignalMask, Is.EqualTo(1UL << (SigUsr1 - 1)));
        Assert.That(guest.Handler.Signals.Pending, Is.Zero);
    }

    [Test]
    public void SigreturnRestoresRegistersAndMask()
    {
        using var guest = SetUpHandler(out _);
        guest.Handler.Delivery.DeliverPending(Registers(guest));
        ref var s = ref guest.State;
        s.Gpr[4] += 8; // the handler's ret popped the restorer's address
        s.Gpr[3] = 0xDEAD;

        long rax = guest.Call("rt_sigreturn");

        Assert.That(rax, Is.EqualTo(-4), "RAX as interrupted (-EINTR here)");
        Assert.That(s.Rip, Is.EqualTo(InterruptedPc));
        Assert.That(s.Gpr[3], Is.EqualTo(77UL));
        Assert.That(guest.Handler.Current.SignalMask, Is.Zero);
    }

    [Test]
    public void DefaultActionTerminatesOrIgnores()
    {
        using var guest = new GuestFixture();
        guest.Handler.Signals.Raise(SigChld, SignalDelivery.SentInfo(SigChld, SignalDelivery.SiUser, 1));
        Assert.That(guest.Handler.Delivery.DeliverPending(Registers(guest)), Is.Zero, "SIGCHLD is ignored by default");
        guest.Handler.Signals.Raise(SigUsr1, SignalDelivery.SentInfo(SigUsr1, SignalDelivery.SiUser, 1));
        Assert.That(guest.Handler.Delivery.DeliverPending(Registers(guest)), Is.EqualTo(SigUsr1), "SIGUSR1 terminates by default");
    }

    [Test]
    public void HandlerEndingASigsuspendReturnsToTheMaskFromBeforeIt()
    {
        using var guest = SetUpHandler(out _);
        const ulong beforeSuspend = 1UL << (SigUsr2 - 1);
        var thread = guest.Handler.Current;
        thread.MaskBeforeSuspend = beforeSuspend;
        thread.SignalMask = 0; // sigsuspend's set

        guest.Handler.Delivery.DeliverPending(Registers(guest));

        Assert.That(*(ulong*)(guest.State.Gpr[2] + UcSigmask), Is.EqualTo(beforeSuspend), "the frame keeps the mask from before sigsuspend");
        Assert.That(thread.SignalMask, Is.EqualTo(1UL << (SigUsr1 - 1)), "the handler runs with sigsuspend's set and its signal");
        Assert.That(thread.MaskBeforeSuspend, Is.Null);
        guest.State.Gpr[4] += 8;
        guest.Call("rt_sigreturn");
        Assert.That(thread.SignalMask, Is.EqualTo(beforeSuspend));
    }

    [Test]
    public void SignalSentToTheCallingThreadWaitsForItAndCarriesSiTkill()
    {
        using var guest = SetUpHandler(out _);
        guest.Handler.Signals.Clear(SigUsr1);
        var thread = guest.Handler.Current;
        ulong pid = (ulong)guest.Process.Pid;
        thread.SignalMask = 1UL << (SigUsr1 - 1);

        Assert.That(guest.Call("tgkill", pid, (ulong)thread.Tid, SigUsr1), Is.Zero);
        Assert.That(guest.Handler.Signals.Pending, Is.Zero, "not the process's");
        Assert.That(guest.Handler.Delivery.AnyDeliverable, Is.False, "the thread blocks it");

        thread.SignalMask = 0;
        Assert.That(guest.Handler.Delivery.AnyDeliverable, Is.True);
        guest.Handler.Delivery.DeliverPending(Registers(guest));
        Assert.That(guest.State.Rip, Is.EqualTo(Handler));
        Assert.That(((int*)guest.State.Gpr[6])[2], Is.EqualTo(SignalDelivery.SiTkill), "si_code");
        Assert.That(thread.PendingSignals, Is.Zero);
    }

    [Test]
    public void CloneWithoutAThreadRunnerIsRefused()
    {
        using var guest = new GuestFixture();
        Assert.That(guest.Call("clone", 0x11, 0, 0, 0, 0), Is.EqualTo(-Errno.ENOSYS));
    }

    private static GuestFixture SetUpHandler(out ulong stackTop)
    {
        var guest = new GuestFixture();
        guest.Read<SignalAction>(0) = new SignalAction(Handler, SignalDelivery.SaSigInfo | SaRestorer, Restorer, 0);
        Assert.That(guest.Call("rt_sigaction", SigUsr1, guest.At(0), 0, 8), Is.Zero);
        stackTop = guest.At(GuestFixture.Pages * GuestFixture.PageSize);
        ref var s = ref guest.State;
        s.Gpr[4] = stackTop;
        s.Gpr[3] = 77;
        s.Gpr[0] = unchecked((ulong)-4L);
        s.Rip = InterruptedPc;
        guest.Handler.Signals.Raise(SigUsr1, SignalDelivery.SentInfo(SigUsr1, SignalDelivery.SiUser, 1));
        return guest;
    }

    private static GuestState* Registers(GuestFixture guest)
    {
        fixed (GuestState* state = &guest.State) return state;
    }
}
