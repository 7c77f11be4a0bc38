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
    public const ulong SaSigInfo = 4, SaOnStack = 0x0800_0000, SaRestart = 0x1000_0000, SaNoDefer = 0x4000_0000, SaResetHand = 0x8000_0000;
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

    /// <summary>Whether a signal the thread acts on waits for it, not in <paramref name="blocked"/>: what ends sigsuspend and pause.</summary>
    public bool AnyToActOn(GuestThread thread, ulong blocked) =>
        ((signals.Pending | thread.PendingSignals | HostSignals.Peek()) & ~blocked & signals.ActedOn) != 0;

    /// <summary>Whether a signal of <paramref name="set"/> is pending for the thread, blocked or not: what ends sigwait.</summary>
    public bool AnyPendingOf(GuestThread thread, ulong set) =>
        ((signals.Pending | thread.PendingSignals | HostSignals.Peek()) & set) != 0;

    /// <summary>The signals of <paramref name="set"/> pending for the thread: to it, or to the process.</summary>
    public ulong PendingOf(GuestThread thread, ulong set)
    {
        CollectFromHost(thread);
        return (signals.Pending | thread.PendingSignals) & set;
    }

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
    /// Takes the first pending signal of <paramref name="set"/> for the thread, blocked or not, as sigwait and a
    /// signalfd read do: one sent to the thread before one sent to the process, the lowest first. Null when none is.
    /// </summary>
    public (int Signal, byte[] Info)? Take(GuestThread thread, ulong set)
    {
        CollectFromHost(thread);
        ulong own = thread.PendingSignals & set;
        ulong ready = own != 0 ? own : signals.Pending & set;
        if (ready == 0) return null;
        int chosen = System.Numerics.BitOperations.TrailingZeroCount(ready) + 1;
        byte[] info = own != 0 ? thread.Clear(chosen) : signals.Clear(chosen) ?? SentInfo(chosen, SiUser, (int)HostSyscall.Invoke(GetpidNumber));
        PendingChanged?.Invoke(thread);
        return (chosen, info);
    }

    /// <summary>Raised when a signal stopped being pending, with the thread that took it (for signalfd readiness).</summary>
    public event Action<GuestThread>? PendingChanged;

    /// <summary>The si_code of the signal <see cref="DeliverPending"/> last found fatal (SI_USER from kill, SI_TKILL from raise).</summary>
    public int FatalCode { get; private set; }

    /// <summary>
    /// Delivers the pending signals the current thread does not block, lowest first, until one runs a handler or
    /// ends the process (ignored ones are dropped on the way, as the kernel does). Returns 0 when the guest goes
    /// on, else the number of the signal whose default action ends the process.
    /// </summary>
    public int DeliverPending(GuestState* s)
    {
        var thread = current();
        while (Take(thread, ~thread.SignalMask) is { } taken)
        {
            var outcome = Deliver(s, thread, new SignalFrame.Info(taken.Signal, 0, 0, 0, taken.Info), synchronous: false);
            if (outcome == Outcome.Ignored) continue;
            EndSuspend(thread);
            if (outcome != Outcome.Fatal) return 0;
            FatalCode = BitConverter.ToInt32(taken.Info, 8); // si_code
            return taken.Signal;
        }
        EndSuspend(thread);
        return 0;
    }

    /// <summary>What a signal interrupting the thread's blocking syscall does to that syscall.</summary>
    public enum Interruption
    {
        /// <summary>No handler runs (nothing for this thread, or it is ignored): the syscall restarts unseen.</summary>
        Restart,
        /// <summary>A handler with SA_RESTART runs: the syscall restarts after it, if it is one the kernel restarts.</summary>
        RestartingHandler,
        /// <summary>A handler without SA_RESTART runs, or the signal ends the process: the syscall fails with EINTR.</summary>
        Interrupt,
    }

    /// <summary>The first pending signal the thread does not block, ignored ones passed over, decides (see <see cref="Interruption"/>).</summary>
    public Interruption InterruptionOf(GuestThread thread)
    {
        CollectFromHost(thread);
        for (ulong rest = (signals.Pending | thread.PendingSignals) & ~thread.SignalMask; rest != 0; rest &= rest - 1)
        {
            int signal = System.Numerics.BitOperations.TrailingZeroCount(rest) + 1;
            var action = signals.GetAction(signal);
            if (action.Handler == SigIgnore || action.Handler == SigDefault && GuestSignalState.IsIgnoredByDefault(signal)) continue;
            return action.Handler != SigDefault && (action.Flags & SaRestart) != 0 ? Interruption.RestartingHandler : Interruption.Interrupt;
        }
        return Interruption.Restart;
    }

    /// <summary>
    /// Moves the signals that reached the host into the process's pending set. The ones this thread blocks are for
    /// another: a thread waiting in the kernel that does not block them is woken to take them.
    /// </summary>
    private void CollectFromHost(GuestThread thread)
    {
        ulong fromHost = HostSignals.Take();
        if (fromHost == 0) return;
        for (ulong rest = fromHost; rest != 0; rest &= rest - 1)
        {
            int signal = System.Numerics.BitOperations.TrailingZeroCount(rest) + 1;
            signals.Raise(signal, HostSignals.InfoOf(signal));
        }
        for (ulong rest = fromHost & thread.SignalMask; rest != 0; rest &= rest - 1)
            HostSignals.WakeWaiterFor(System.Numerics.BitOperations.TrailingZeroCount(rest) + 1);
        PendingChanged?.Invoke(thread);
    }

    /// <summary>A fault of the instruction at the guest's RIP: true when a guest handler takes it.</summary>
    public bool DeliverFault(GuestState* s, int signal, int code, ulong address, int trapNo) =>
        Deliver(s, current(), new SignalFrame.Info(signal, code, address, trapNo), synchronous: true) == Outcome.Handled;

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

    private enum Outcome { Handled, Ignored, Fatal }

    private Outcome Deliver(GuestState* s, GuestThread thread, in SignalFrame.Info info, bool synchronous)
    {
        int signal = info.Signal;
        var action = signals.GetAction(signal);
        ulong bit = 1UL << (signal - 1);
        // A fault the guest blocks or ignores cannot be survived: the kernel kills as for the default action.
        if (synchronous && (action.Handler is SigDefault or SigIgnore || (thread.SignalMask & bit) != 0)) return Outcome.Fatal;
        if (action.Handler == SigIgnore) return Outcome.Ignored;
        if (action.Handler == SigDefault) return GuestSignalState.IsIgnoredByDefault(signal) ? Outcome.Ignored : Outcome.Fatal;

        // After sigsuspend, the handler's frame holds the mask from before it: rt_sigreturn puts that one back.
        ulong handlerBase = thread.SignalMask;
        ulong frameMask = thread.MaskBeforeSuspend ?? handlerBase;
        thread.MaskBeforeSuspend = null;
        ulong top = SignalFrame.StackTop(s, action, thread.AltStack);
        if (!SignalFrame.Push(s, _memory, top, info, action, thread.AltStack, frameMask)) return Outcome.Fatal;
        thread.SignalMask = (handlerBase | action.Mask | ((action.Flags & SaNoDefer) != 0 ? 0 : bit)) & ~GuestSignalState.Unblockable;
        if ((action.Flags & SaResetHand) != 0) signals.SetAction(signal, action with { Handler = SigDefault, Flags = action.Flags & ~SaSigInfo });
        return Outcome.Handled;
    }
}
