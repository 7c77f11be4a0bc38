using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Os;

/// <summary>
/// Hands guest signals to the guest's handlers on real signal frames, at block boundaries: faults the
/// dispatcher saw, signals the guest sent itself, and signals that reached the host (<see cref="HostSignals"/>).
/// A signal sent to the process goes to the first thread that reaches a block boundary without blocking it, as
/// Linux gives it to any such thread; one sent to a thread waits for that thread. What it cannot hand over (no
/// handler, default action terminate) it returns for the fatal-signal report.
/// </summary>
/// <param name="current">The guest thread at the block boundary.</param>
public sealed unsafe class SignalDelivery(GuestSignalState signals, IGuestMemoryGuard guard, Func<GuestThread> current)
{
    public const ulong SaSigInfo = 4, SaOnStack = 0x0800_0000, SaNoDefer = 0x4000_0000, SaResetHand = 0x8000_0000;
    private const ulong SigDefault = 0, SigIgnore = 1;
    public const int SiUser = 0, SiTkill = -6;

    private static readonly int GetpidNumber = SyscallTable.Named("getpid").Number;
    private static readonly int Uid = (int)HostSyscall.Invoke(SyscallTable.Named("getuid").Number);

    private readonly GuestMemory _memory = new(guard);

    /// <summary>Whether the current thread has something to do at a block boundary (the dispatcher's cheap check per block).</summary>
    public bool AnyDeliverable
    {
        get
        {
            var thread = current();
            return HostSignals.Peek() != 0 || thread.MaskBeforeSuspend is not null ||
                ((signals.Pending | thread.PendingSignals) & ~thread.SignalMask) != 0;
        }
    }

    /// <summary>Whether a signal the thread acts on waits for it: what ends sigsuspend and pause.</summary>
    public bool AnyToActOn(GuestThread thread) =>
        ((signals.Pending | thread.PendingSignals | HostSignals.Peek()) & ~thread.SignalMask & signals.ActedOn) != 0;

    /// <summary>A siginfo for a signal a guest process sent (kill: SI_USER, tgkill: SI_TKILL).</summary>
    public static byte[] SentInfo(int signal, int code, int senderPid)
    {
        var info = new byte[HostSignals.SiginfoSize];
        fixed (byte* p = info)
        {
            int* si = (int*)p;
            si[0] = signal;
            si[2] = code;
            si[4] = senderPid;
            si[5] = Uid;
        }
        return info;
    }

    /// <summary>
    /// Delivers the lowest pending signal the current thread does not block. Returns 0 when the guest goes on (in
    /// its handler, or the signal was ignored), else the number of the signal whose default action ends the process.
    /// </summary>
    public int DeliverPending(GuestState* s)
    {
        ulong fromHost = HostSignals.Take();
        for (ulong rest = fromHost; rest != 0; rest &= rest - 1)
        {
            int signal = System.Numerics.BitOperations.TrailingZeroCount(rest) + 1;
            signals.Raise(signal, HostSignals.InfoOf(signal));
        }
        var thread = current();
        ulong own = thread.PendingSignals & ~thread.SignalMask;
        ulong ready = own != 0 ? own : signals.Pending & ~thread.SignalMask;
        if (ready == 0)
        {
            // Process signals this thread blocks: a thread waiting in the kernel that does not block them takes them.
            for (ulong rest = fromHost & signals.Pending & thread.SignalMask & signals.ActedOn; rest != 0; rest &= rest - 1)
                HostSignals.WakeWaiterFor(System.Numerics.BitOperations.TrailingZeroCount(rest) + 1);
            EndSuspend(thread);
            return 0;
        }
        int chosen = System.Numerics.BitOperations.TrailingZeroCount(ready) + 1;
        byte[] info;
        if (own != 0)
        {
            thread.PendingSignals &= ~(1UL << (chosen - 1));
            info = SentInfo(chosen, SiTkill, (int)HostSyscall.Invoke(GetpidNumber));
        }
        else info = signals.Clear(chosen) ?? SentInfo(chosen, SiUser, (int)HostSyscall.Invoke(GetpidNumber));
        bool goesOn = Deliver(s, thread, new SignalFrame.Info(chosen, 0, 0, 0, info), synchronous: false);
        EndSuspend(thread);
        return goesOn ? 0 : chosen;
    }

    /// <summary>A fault of the instruction at the guest's RIP: true when a guest handler takes it.</summary>
    public bool DeliverFault(GuestState* s, int signal, int code, ulong address, int trapNo) =>
        Deliver(s, current(), new SignalFrame.Info(signal, code, address, trapNo), synchronous: true);

    /// <summary>rt_sigreturn: the registers and mask of the frame; the result is the RAX it restored.</summary>
    public long Return(GuestState* s)
    {
        if (SignalFrame.Pop(s, _memory) is not { } mask) return -Errno.EFAULT;
        current().SignalMask = mask & ~GuestSignalState.Unblockable;
        return (long)s->Gpr[0];
    }

    /// <summary>A sigsuspend that no handler ended (the signal was ignored) gives its mask back at once.</summary>
    private static void EndSuspend(GuestThread thread)
    {
        if (thread.MaskBeforeSuspend is not { } before) return;
        thread.SignalMask = before;
        thread.MaskBeforeSuspend = null;
    }

    private bool Deliver(GuestState* s, GuestThread thread, in SignalFrame.Info info, bool synchronous)
    {
        int signal = info.Signal;
        var action = signals.GetAction(signal);
        ulong bit = 1UL << (signal - 1);
        // A fault the guest blocks or ignores cannot be survived: the kernel kills as for the default action.
        if (synchronous && (action.Handler is SigDefault or SigIgnore || (thread.SignalMask & bit) != 0)) return false;
        if (action.Handler == SigIgnore) return true;
        if (action.Handler == SigDefault) return GuestSignalState.IsIgnoredByDefault(signal);

        // After sigsuspend, the handler's frame holds the mask from before it: rt_sigreturn puts that one back.
        ulong handlerBase = thread.SignalMask;
        ulong frameMask = thread.MaskBeforeSuspend ?? handlerBase;
        thread.MaskBeforeSuspend = null;
        ulong top = SignalFrame.StackTop(s, action, thread.AltStack);
        if (!SignalFrame.Push(s, _memory, top, info, action, thread.AltStack, frameMask)) return false;
        thread.SignalMask = (handlerBase | action.Mask | ((action.Flags & SaNoDefer) != 0 ? 0 : bit)) & ~GuestSignalState.Unblockable;
        if ((action.Flags & SaResetHand) != 0) signals.SetAction(signal, action with { Handler = SigDefault, Flags = action.Flags & ~SaSigInfo });
        return true;
    }
}
