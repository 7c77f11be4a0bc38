using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Os;

/// <summary>
/// Hands guest signals to the guest's handlers on real signal frames, at block boundaries: faults the
/// dispatcher saw, signals the guest sent itself, and signals that reached the host (<see cref="HostSignals"/>).
/// What it cannot hand over (no handler, default action terminate) it returns for the fatal-signal report.
/// </summary>
public sealed unsafe class SignalDelivery(GuestSignalState signals, IGuestMemoryGuard guard)
{
    public const ulong SaSigInfo = 4, SaOnStack = 0x0800_0000, SaNoDefer = 0x4000_0000, SaResetHand = 0x8000_0000;
    private const ulong SigDefault = 0, SigIgnore = 1;
    private const int SiUser = 0, SigChld = 17, SigCont = 18, SigStop = 19, SigTstp = 20, SigTtin = 21, SigTtou = 22, SigUrg = 23, SigWinch = 28;

    private static readonly int Uid = (int)HostSyscall.Invoke(SyscallTable.Named("getuid").Number);

    private readonly GuestMemory _memory = new(guard);

    /// <summary>Whether a signal waits that the guest does not block (the dispatcher's cheap check per block).</summary>
    public bool AnyDeliverable => ((signals.Pending | HostSignals.Peek()) & ~signals.Mask) != 0;

    /// <summary>
    /// Delivers the lowest pending unblocked signal. Returns 0 when the guest goes on (in its handler, or the
    /// signal was ignored), else the number of the signal whose default action ends the process.
    /// </summary>
    public int DeliverPending(GuestState* s)
    {
        signals.RaiseAll(HostSignals.Take());
        ulong ready = signals.Pending & ~signals.Mask;
        if (ready == 0) return 0;
        int signal = System.Numerics.BitOperations.TrailingZeroCount(ready) + 1;
        signals.Clear(signal);
        var info = new SignalFrame.Info(signal, SiUser, 0, Environment.ProcessId, Uid, 0);
        return Deliver(s, info, synchronous: false) ? 0 : signal;
    }

    /// <summary>A fault of the instruction at the guest's RIP: true when a guest handler takes it.</summary>
    public bool DeliverFault(GuestState* s, int signal, int code, ulong address, int trapNo) =>
        Deliver(s, new SignalFrame.Info(signal, code, address, 0, 0, trapNo), synchronous: true);

    /// <summary>rt_sigreturn: the registers and mask of the frame; the result is the RAX it restored.</summary>
    public long Return(GuestState* s)
    {
        if (SignalFrame.Pop(s, _memory) is not { } mask) return -Errno.EFAULT;
        signals.Mask = mask & ~GuestSignalState.Unblockable;
        return (long)s->Gpr[0];
    }

    private bool Deliver(GuestState* s, in SignalFrame.Info info, bool synchronous)
    {
        int signal = info.Signal;
        var action = signals.GetAction(signal);
        ulong bit = 1UL << (signal - 1);
        // A fault the guest blocks or ignores cannot be survived: the kernel kills as for the default action.
        if (synchronous && (action.Handler is SigDefault or SigIgnore || (signals.Mask & bit) != 0)) return false;
        if (action.Handler == SigIgnore) return true;
        if (action.Handler == SigDefault) return IgnoredByDefault(signal);

        ulong oldMask = signals.Mask;
        ulong top = SignalFrame.StackTop(s, action, signals.AltStack);
        if (!SignalFrame.Push(s, _memory, top, info, action, signals.AltStack, oldMask)) return false;
        signals.Mask = (oldMask | action.Mask | ((action.Flags & SaNoDefer) != 0 ? 0 : bit)) & ~GuestSignalState.Unblockable;
        if ((action.Flags & SaResetHand) != 0) signals.SetAction(signal, action with { Handler = SigDefault, Flags = action.Flags & ~SaSigInfo });
        return true;
    }

    /// <summary>Signals whose default action is to ignore them (and the stop signals: the engine does not stop).</summary>
    private static bool IgnoredByDefault(int signal) =>
        signal is SigChld or SigCont or SigUrg or SigWinch or SigStop or SigTstp or SigTtin or SigTtou;
}
