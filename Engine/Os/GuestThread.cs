namespace Memcheck.Engine.Os;

/// <summary>The kernel's per-thread state of one guest thread that the syscalls read and write.</summary>
public sealed class GuestThread(int tid)
{
    /// <summary>The host thread id the guest sees as its tid (gettid passes through).</summary>
    public int Tid { get; } = tid;
    /// <summary>Zeroed and futex-woken at thread exit (set_tid_address, CLONE_CHILD_CLEARTID): pthread_join waits on it.</summary>
    public ulong ClearChildTid { get; set; }
    /// <summary>The guest's robust futex list head (set_robust_list).</summary>
    public ulong RobustListHead { get; set; }
    /// <summary>VALGRIND_DISABLE_ERROR_REPORTING's count for this thread: above 0, the tool reports none of its errors.</summary>
    public int ErrorDisablement { get; set; }
    /// <summary>Whether the exit syscall this thread made was exit_group (the whole process) rather than exit.</summary>
    public bool ExitsGroup { get; set; }
    /// <summary>The signals this thread blocks: bit n-1 for signal n.</summary>
    public ulong SignalMask { get; set; }
    /// <summary>Signals sent to this thread (tgkill, a write's SIGPIPE), waiting until it does not block them.</summary>
    public ulong PendingSignals { get; private set; }
    private readonly byte[]?[] _pendingInfos = new byte[]?[GuestSignalState.SignalCount + 1];

    /// <summary>Sends this thread a signal with its siginfo (128 bytes), kept until it is taken.</summary>
    public void Raise(int signal, byte[] info)
    {
        PendingSignals |= 1UL << (signal - 1);
        _pendingInfos[signal] = info;
    }

    /// <summary>The signal is taken: no longer pending. Returns the siginfo it was sent with.</summary>
    public byte[] Clear(int signal)
    {
        PendingSignals &= ~(1UL << (signal - 1));
        return _pendingInfos[signal]!;
    }
    public SignalStack AltStack { get; set; } = SignalStack.Disabled;
    /// <summary>The mask sigsuspend replaced, restored after the handler that ends the wait (or at once if none runs).</summary>
    public ulong? MaskBeforeSuspend { get; set; }
}
