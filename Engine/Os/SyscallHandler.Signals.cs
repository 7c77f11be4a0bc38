using System.Diagnostics;
using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Os;

/// <summary>
/// The guest kernel's signal syscalls: handlers, masks, alternate stacks, sending, waiting (pause, sigsuspend,
/// sigtimedwait, signalfd) and what a signal does to a blocking syscall it interrupts.
/// </summary>
public sealed unsafe partial class SyscallHandler
{
    private const int SigPipe = 13, SyscallInstructionLength = 2;
    /// <summary>What a syscall's emulation returns for a syscall to be made again after a signal handler.</summary>
    private const long Restarted = long.MinValue;
    private static readonly int RtSigprocmaskNumber = SyscallTable.Named("rt_sigprocmask").Number;
    private static readonly int PpollNumber = SyscallTable.Named("ppoll").Number;
    private static readonly SyscallEntry ReadEntry = SyscallTable.Named("read"), DupEntry = SyscallTable.Named("dup"),
        FcntlEntry = SyscallTable.Named("fcntl");
    /// <summary>Syscalls that fail with EINTR after a handler even when it has SA_RESTART (signal(7)).</summary>
    private static readonly HashSet<int> NeverRestarted = Numbers("poll", "ppoll", "select", "pselect6", "epoll_wait",
        "epoll_pwait", "epoll_pwait2", "nanosleep", "clock_nanosleep", "msgrcv", "msgsnd", "semop", "semtimedop", "io_getevents");
    /// <summary>Syscalls that write to pipes and sockets: EPIPE from them comes with SIGPIPE.</summary>
    private static readonly HashSet<int> WritesToPipes = Numbers("write", "writev", "pwritev", "pwritev2", "sendto", "sendmsg",
        "sendmmsg", "sendfile", "splice", "vmsplice", "tee");
    private static readonly int SendtoNumber = SyscallTable.Named("sendto").Number, SendmsgNumber = SyscallTable.Named("sendmsg").Number,
        SendmmsgNumber = SyscallTable.Named("sendmmsg").Number;

    private readonly SignalFds _signalFds;

    private static HashSet<int> Numbers(params string[] names) => [.. names.Select(name => SyscallTable.Named(name).Number)];

    private long RtSigaction(GuestState* state, ReadOnlySpan<ulong> args)
    {
        int signal = (int)args[0];
        ulong act = args[1], oldAct = args[2];
        if (args[3] != sizeof(ulong) || signal is < 1 or > GuestSignalState.SignalCount) return -Errno.EINVAL;
        if (act != 0 && signal is GuestSignalState.SigKill or GuestSignalState.SigStop) return -Errno.EINVAL;
        SignalAction newAction = default;
        if (act != 0 && !_memory.TryRead(act, out newAction)) return -Errno.EFAULT;
        if (oldAct != 0 && !_memory.TryWrite(oldAct, Signals.GetAction(signal))) return -Errno.EFAULT;
        if (act != 0) Signals.SetAction(signal, newAction with { Mask = newAction.Mask & ~GuestSignalState.Unblockable });
        return 0;
    }

    private long RtSigprocmask(GuestState* state, ReadOnlySpan<ulong> args)
    {
        const int block = 0, unblock = 1, setMask = 2;
        int how = (int)args[0];
        ulong set = args[1], oldSet = args[2];
        if (args[3] != sizeof(ulong)) return -Errno.EINVAL;
        var thread = Current;
        ulong old = thread.SignalMask;
        if (set != 0)
        {
            if (!_memory.TryRead(set, out ulong given)) return -Errno.EFAULT;
            if (how is not (block or unblock or setMask)) return -Errno.EINVAL;
            ulong mask = how == block ? old | given : how == unblock ? old & ~given : given;
            thread.SignalMask = mask & ~GuestSignalState.Unblockable;
        }
        return oldSet == 0 || _memory.TryWrite(oldSet, old) ? 0 : -Errno.EFAULT;
    }

    /// <summary>The guest's pending signals that it blocks, as the kernel answers (a set size up to 8 bytes).</summary>
    private long RtSigpending(GuestState* state, ReadOnlySpan<ulong> args)
    {
        if (args[1] > sizeof(ulong)) return -Errno.EINVAL;
        var thread = Current;
        ulong pending = Delivery.PendingOf(thread, thread.SignalMask);
        return _memory.TryWrite(args[0], new ReadOnlySpan<byte>(&pending, (int)args[1])) ? 0 : -Errno.EFAULT;
    }

    private long Sigaltstack(GuestState* state, ReadOnlySpan<ulong> args)
    {
        const ulong minSignalStackSize = 2048;
        ulong newStackAddr = args[0], oldStackAddr = args[1];
        var thread = Current;
        SignalStack current = thread.AltStack;
        ulong sp = state->Gpr[RspIndex];
        bool onStack = (current.Flags & SignalStack.Disable) == 0 && sp - current.Sp < current.Size;
        if (newStackAddr != 0)
        {
            if (!_memory.TryRead(newStackAddr, out SignalStack requested)) return -Errno.EFAULT;
            if (onStack) return -Errno.EPERM;
            int mode = requested.Flags & ~SignalStack.AutoDisarm;
            if (mode is not (0 or SignalStack.OnStack or SignalStack.Disable)) return -Errno.EINVAL;
            if (mode == SignalStack.Disable) thread.AltStack = SignalStack.Disabled;
            else if (requested.Size < minSignalStackSize) return -Errno.ENOMEM;
            else thread.AltStack = requested with { Flags = requested.Flags & SignalStack.AutoDisarm };
        }
        if (oldStackAddr == 0) return 0;
        var old = onStack ? current with { Flags = SignalStack.OnStack | (current.Flags & SignalStack.AutoDisarm) } : current;
        return _memory.TryWrite(oldStackAddr, old) ? 0 : -Errno.EFAULT;
    }

    /// <summary>
    /// A signal the guest sends itself stays in the guest: on the host it would hit the runtime's handlers or
    /// kill the engine before it can report. It waits in <see cref="GuestSignalState.Pending"/> (sent to the
    /// process) or the target thread's pending set for delivery; a thread that can take it is woken from its wait.
    /// Signal 0 only asks whether the target exists. kill of pid 0 (the process group) counts as the guest's own:
    /// passed on, it would reach the engine too.
    /// </summary>
    /// <param name="tid">The thread it is sent to; 0 for the process.</param>
    /// <param name="infoAddress">The siginfo sigqueue gives (rt_sigqueueinfo, rt_tgsigqueueinfo); null for kill and tgkill.</param>
    private long RaiseInGuest(ulong signal, int tid, ulong? infoAddress)
    {
        if (signal > GuestSignalState.SignalCount) return -Errno.EINVAL;
        int number = (int)signal;
        byte[] info;
        if (infoAddress is ulong address)
        {
            info = new byte[HostSignals.SiginfoSize];
            if (!_memory.TryRead(address, info)) return -Errno.EFAULT;
            BitConverter.TryWriteBytes(info, number); // si_signo
        }
        else info = SignalDelivery.SentInfo(number, tid == 0 ? SignalDelivery.SiUser : SignalDelivery.SiTkill, _process.Pid);
        if (signal == 0) return 0;
        ulong bit = 1UL << (number - 1);
        var thread = Current;
        if (tid != 0 && (tid == thread.Tid ? thread : Threads?.Find(tid)) is { } target)
        {
            target.Raise(number, info);
            if (target != thread && (target.SignalMask & bit) == 0) HostSignals.Wake(target.Tid);
        }
        else
        {
            Signals.Raise(number, info);
            if ((thread.SignalMask & bit) != 0) HostSignals.WakeWaiterFor(number);
        }
        _signalFds.Refresh(thread);
        return 0;
    }

    /// <summary>Whether EPIPE from the syscall came with SIGPIPE: from a write to a pipe or socket, unless sent with MSG_NOSIGNAL.</summary>
    private static bool RaisesSigpipe(int number, ReadOnlySpan<ulong> args)
    {
        const ulong msgNoSignal = 0x4000;
        if (!WritesToPipes.Contains(number)) return false;
        ulong flags = number == SendtoNumber || number == SendmmsgNumber ? args[3] : number == SendmsgNumber ? args[2] : 0;
        return (flags & msgNoSignal) == 0;
    }

    /// <summary>The kernel sends the writing thread SIGPIPE; the host's, which went to the engine, was dropped (<see cref="HostSignals"/>).</summary>
    private void RaiseSigpipe()
    {
        var thread = Current;
        thread.Raise(SigPipe, SignalDelivery.SentInfo(SigPipe, SignalDelivery.SiUser, _process.Pid));
        _signalFds.Refresh(thread);
    }

    private long RtSigsuspend(GuestState* state, ReadOnlySpan<ulong> args)
    {
        if (args[1] != sizeof(ulong)) return -Errno.EINVAL;
        if (!_memory.TryRead(args[0], out ulong mask)) return -Errno.EFAULT;
        var thread = Current;
        thread.MaskBeforeSuspend = thread.SignalMask;
        thread.SignalMask = mask & ~GuestSignalState.Unblockable;
        return Suspend(thread);
    }

    /// <summary>pause and sigsuspend: wait until a signal the thread acts on is pending, and return EINTR for the dispatcher to deliver it.</summary>
    private long Suspend(GuestThread thread)
    {
        WaitUntil(() => Delivery.AnyToActOn(thread, thread.SignalMask), deadline: null);
        return -Errno.EINTR;
    }

    /// <summary>
    /// Waits in the host kernel, without the guest lock, until <paramref name="ends"/> holds; false when
    /// <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp) passes first. The host signals the engine
    /// catches for the guest are blocked from each check to the wait, which unblocks them atomically, so one arriving
    /// in between is not missed.
    /// </summary>
    private bool WaitUntil(Func<bool> ends, long? deadline)
    {
        const int block = 0, setMask = 2;
        ulong caught = HostSignals.WaitMask, hostMask;
        HostSyscall.Invoke(RtSigprocmaskNumber, block, (ulong)&caught, (ulong)&hostMask, sizeof(ulong));
        Threads?.LeaveGuest();
        try
        {
            while (!ends())
            {
                Timespec left = default;
                if (deadline is long end)
                {
                    long ticks = end - Stopwatch.GetTimestamp();
                    if (ticks <= 0) return false;
                    left = Timespec.FromTicks(ticks);
                }
                HostSyscall.Invoke(PpollNumber, 0, 0, deadline is null ? 0 : (ulong)&left, (ulong)&hostMask, sizeof(ulong));
            }
            return true;
        }
        finally
        {
            Threads?.EnterGuest();
            HostSyscall.Invoke(RtSigprocmaskNumber, setMask, (ulong)&hostMask, 0, sizeof(ulong));
        }
    }

    /// <summary>rt_sigtimedwait (sigwait, sigwaitinfo, sigtimedwait): takes a pending signal of the set, waiting for one.</summary>
    private long RtSigtimedwait(GuestState* state, ReadOnlySpan<ulong> args)
    {
        if (args[3] != sizeof(ulong)) return -Errno.EINVAL;
        if (!_memory.TryRead(args[0], out ulong set)) return -Errno.EFAULT;
        long? deadline = null;
        if (args[2] != 0)
        {
            if (!_memory.TryRead(args[2], out Timespec timeout)) return -Errno.EFAULT;
            if (!timeout.IsValid) return -Errno.EINVAL;
            deadline = Timespec.Deadline(timeout.Ticks);
        }
        var (result, info) = TakeSignal(Current, set & ~GuestSignalState.Unblockable, deadline);
        if (result > 0 && args[1] != 0 && !_memory.TryWrite(args[1], info)) return -Errno.EFAULT;
        return result;
    }

    /// <summary>
    /// Takes a pending signal of <paramref name="set"/> for the thread, blocked or not, waiting for one until
    /// <paramref name="deadline"/> (a <see cref="Stopwatch"/> timestamp; null: for ever). While it waits, the set is
    /// unblocked, as the kernel does in sigtimedwait, so that a signal of it wakes the thread: it is taken by the
    /// wait, not handed to a handler. Returns the signal and its siginfo; EINTR when a signal the thread does not
    /// block and acts on comes first (the dispatcher then delivers it), EAGAIN when the deadline passes.
    /// </summary>
    private (long Result, byte[] Info) TakeSignal(GuestThread thread, ulong set, long? deadline)
    {
        ulong mask = thread.SignalMask;
        thread.SignalMask = mask & ~set;
        HostSignals.BeginWait(set);
        try
        {
            bool timedOut = deadline <= Stopwatch.GetTimestamp();
            while (true)
            {
                if (Delivery.Take(thread, set) is { } taken) return (taken.Signal, taken.Info);
                if (timedOut) return (-Errno.EAGAIN, []);
                if (Delivery.AnyToActOn(thread, mask | set)) return (-Errno.EINTR, []);
                timedOut = !WaitUntil(() => Delivery.AnyPendingOf(thread, set) || Delivery.AnyToActOn(thread, mask | set), deadline);
            }
        }
        finally
        {
            HostSignals.EndWait(set);
            thread.SignalMask = mask;
        }
    }

    /// <summary>signalfd and signalfd4: a mask of at most 8 bytes, as the kernel takes it.</summary>
    private long SignalFd(int fd, ulong maskAddress, ulong maskSize, int flags)
    {
        if (maskSize != sizeof(ulong)) return -Errno.EINVAL;
        if (!_memory.TryRead(maskAddress, out ulong mask)) return -Errno.EFAULT;
        return _signalFds.Create(fd, mask, flags, Current);
    }

    /// <summary>
    /// A read of a signalfd: one signalfd_siginfo record for each pending signal of its mask that fits, waiting
    /// for the first unless the descriptor is non-blocking (EAGAIN), never for the others.
    /// </summary>
    private long ReadSignalFd(GuestState* state, ReadOnlySpan<ulong> args)
    {
        int fd = (int)args[0];
        ulong buffer = args[1], count = args[2];
        if (count < SignalFds.RecordSize) return -Errno.EINVAL;
        var thread = Current;
        ulong mask = _signalFds.MaskOf(fd);
        long? deadline = SignalFds.Blocks(fd) ? null : Stopwatch.GetTimestamp();
        Span<byte> record = stackalloc byte[SignalFds.RecordSize];
        ulong done = 0;
        while (done + SignalFds.RecordSize <= count)
        {
            var (result, info) = TakeSignal(thread, mask, done == 0 ? deadline : Stopwatch.GetTimestamp());
            if (result < 0) return done > 0 ? (long)done : result;
            SignalFds.Record((int)result, info, record);
            if (!_memory.TryWrite(buffer + done, record)) return done > 0 ? (long)done : -Errno.EFAULT;
            done += SignalFds.RecordSize;
        }
        return (long)done;
    }

    /// <summary>
    /// A syscall that may wait, run without the guest lock and interruptibly (<see cref="HostSyscall.InvokeInterruptible"/>).
    /// Interrupted, it goes on as the kernel decides (signal(7)): restarted at once when no handler runs for this
    /// thread, with what is left of a relative timeout; made again after the handler when the handler has SA_RESTART
    /// and the syscall is one the kernel restarts (<see cref="Restarted"/>); else it fails with EINTR.
    /// </summary>
    private long Blocking(int number, ReadOnlySpan<ulong> args, IGuestThreads threads)
    {
        Span<ulong> call = stackalloc ulong[args.Length];
        args.CopyTo(call);
        var timeout = new RestartTimeout(number, args, _memory);
        Timespec left;
        while (true)
        {
            long result;
            threads.LeaveGuest();
            try { result = HostSyscall.InvokeInterruptible(number, call, HostSignals.WakeWord); }
            finally { threads.EnterGuest(); }
            if (result != -Errno.EINTR) return result;
            switch (Delivery.InterruptionOf(Current))
            {
                case SignalDelivery.Interruption.Restart:
                    timeout.Shorten(call, &left);
                    continue;
                case SignalDelivery.Interruption.RestartingHandler when !NeverRestarted.Contains(number):
                    return Restarted;
                default:
                    return -Errno.EINTR;
            }
        }
    }

    /// <summary>
    /// The relative timeout of a syscall made again after an interruption no handler saw, shortened by the time
    /// waited, as the kernel's restart does. select, pselect6 and ppoll need nothing: the kernel updates their
    /// timeout in guest memory.
    /// </summary>
    private readonly struct RestartTimeout
    {
        private static readonly int ClockNanosleepNumber = SyscallTable.Named("clock_nanosleep").Number;
        /// <summary>The syscalls with a relative timeout the kernel does not update: which argument, and whether in milliseconds (else a timespec).</summary>
        private static readonly Dictionary<int, (int Argument, bool Milliseconds)> Timed = new()
        {
            [SyscallTable.Named("poll").Number] = (2, true),
            [SyscallTable.Named("epoll_wait").Number] = (3, true),
            [SyscallTable.Named("epoll_pwait").Number] = (3, true),
            [SyscallTable.Named("nanosleep").Number] = (0, false),
            [ClockNanosleepNumber] = (2, false),
            [SyscallTable.Named("epoll_pwait2").Number] = (3, false),
        };

        private readonly int _argument = -1;
        private readonly bool _milliseconds;
        private readonly long _ticks, _start;

        public RestartTimeout(int number, ReadOnlySpan<ulong> args, GuestMemory memory)
        {
            const ulong timerAbstime = 1;
            if (!Timed.TryGetValue(number, out var timed) || number == ClockNanosleepNumber && (args[1] & timerAbstime) != 0) return;
            var (argument, milliseconds) = timed;
            _start = Stopwatch.GetTimestamp();
            if (milliseconds)
            {
                if ((int)args[argument] < 0) return; // waits for ever
                _ticks = (int)args[argument] * Stopwatch.Frequency / 1000;
            }
            else
            {
                if (!memory.TryRead(args[argument], out Timespec timeout) || !timeout.IsValid) return;
                _ticks = timeout.Ticks;
            }
            (_argument, _milliseconds) = (argument, milliseconds);
        }

        /// <summary>Puts what is left of the timeout in <paramref name="call"/>'s arguments (<paramref name="left"/> holds a timespec).</summary>
        public void Shorten(Span<ulong> call, Timespec* left)
        {
            if (_argument < 0) return;
            long remaining = Math.Max(0, _ticks - (Stopwatch.GetTimestamp() - _start));
            if (_milliseconds) call[_argument] = (ulong)((remaining * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency);
            else
            {
                *left = Timespec.FromTicks(remaining);
                call[_argument] = (ulong)left;
            }
        }
    }

    /// <summary>A struct timespec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Timespec(long Seconds, long Nanoseconds)
    {
        private const long NanosecondsPerSecond = 1_000_000_000;
        /// <summary>Longer than anything waits: a bound that keeps timestamps from overflowing.</summary>
        private static readonly long Forever = long.MaxValue / 4;

        public bool IsValid => Seconds >= 0 && Nanoseconds is >= 0 and < NanosecondsPerSecond;

        /// <summary>The duration in <see cref="Stopwatch"/> ticks.</summary>
        public long Ticks => Seconds >= Forever / Stopwatch.Frequency
            ? Forever
            : Seconds * Stopwatch.Frequency + Nanoseconds * Stopwatch.Frequency / NanosecondsPerSecond;

        public static Timespec FromTicks(long ticks) =>
            new(ticks / Stopwatch.Frequency, ticks % Stopwatch.Frequency * NanosecondsPerSecond / Stopwatch.Frequency);

        /// <summary>The timestamp <paramref name="ticks"/> from now.</summary>
        public static long Deadline(long ticks) => Stopwatch.GetTimestamp() + Math.Min(ticks, Forever);
    }

    private static bool IsOwnThread(ulong tid) => (long)tid > 0 && Directory.Exists($"/proc/self/task/{tid}");
}
