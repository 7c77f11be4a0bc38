using System.Text;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Os;

/// <summary>
/// The guest's kernel: executes the syscall a guest thread stopped at. Number in RAX, arguments in RDI RSI
/// RDX R10 R8 R9, result into RAX (-errno on failure, as the kernel returns). Syscalls touching state the
/// engine owns (memory map, signal handlers, fs base, host descriptors) are emulated; the rest go to the
/// host kernel with the guest's arguments unchanged, after a check that every buffer the kernel would write
/// belongs to the guest.
/// </summary>
public sealed unsafe partial class SyscallHandler
{
    private delegate long Emulation(GuestState* state, ReadOnlySpan<ulong> args);

    private const int RaxIndex = 0, RspIndex = 4;
    private const ulong PrSetSeccomp = 22;
    private const ulong SigChld = 17;
    /// <summary>Argument registers in order, as indices into <see cref="GuestState.Gpr"/>.</summary>
    private static readonly int[] ArgumentRegisters = [7, 6, 2, 10, 8, 9]; // RDI RSI RDX R10 R8 R9
    private static readonly int ExitNumber = SyscallTable.Named("exit").Number;
    private static readonly int ExitGroupNumber = SyscallTable.Named("exit_group").Number;

    private readonly ProcessInfo _process;
    private readonly IGuestMemoryManager _addressSpace;
    private readonly GuestMemory _memory;
    private readonly SyscallOutputCheck _outputs;
    private readonly HostFileDescriptors _hostFds;
    private readonly ProcSelfView _procSelf;
    private readonly TextWriter _warnings;
    private readonly Dictionary<int, Emulation> _emulations;

    /// <param name="guard">Which memory the guest owns (page ownership and protection, not memcheck's A bits:
    /// a syscall on a freed heap block still runs, memcheck reports it).</param>
    /// <param name="warnings">Where Valgrind's "--pid--" warnings go (stderr).</param>
    public SyscallHandler(ProcessInfo process, IGuestMemoryManager addressSpace, IGuestMemoryGuard guard,
        HostFileDescriptors hostFds, TextWriter warnings)
    {
        _process = process;
        _addressSpace = addressSpace;
        _memory = new GuestMemory(guard);
        _outputs = new SyscallOutputCheck(_memory);
        _hostFds = hostFds;
        _procSelf = new ProcSelfView(process);
        _warnings = warnings;
        Signals.InheritIgnored();
        Delivery = new SignalDelivery(Signals, guard, () => Current);
        _signalFds = new SignalFds(Signals);
        Delivery.PendingChanged += _signalFds.Refresh;
        var byName = new Dictionary<string, Emulation>
        {
            ["brk"] = (_, a) => _addressSpace.Brk(a[0]),
            ["mmap"] = (_, a) => _addressSpace.Mmap(a[0], a[1], (int)a[2], (int)a[3], (int)a[4], (long)a[5]),
            ["munmap"] = (_, a) => _addressSpace.Munmap(a[0], a[1]),
            ["mprotect"] = (_, a) => _addressSpace.Mprotect(a[0], a[1], (int)a[2]),
            ["mremap"] = (_, a) => _addressSpace.Mremap(a[0], a[1], a[2], (int)a[3], a[4]),
            ["madvise"] = Madvise,
            ["arch_prctl"] = ArchPrctl,
            ["set_tid_address"] = SetTidAddress,
            ["set_robust_list"] = SetRobustList,
            ["rseq"] = (_, _) => -Errno.ENOSYS, // glibc probes it and copes; Valgrind refuses it silently too
            ["clone3"] = (_, _) => -Errno.ENOSYS, // glibc falls back to clone, as under Valgrind
            ["clone"] = (s, a) => Clone(s, new CloneRequest(a[0], a[1], a[2], a[3], a[4])),
            ["fork"] = (s, _) => Clone(s, new CloneRequest(SigChld, 0, 0, 0, 0)),
            ["vfork"] = (s, _) => Clone(s, new CloneRequest(CloneRequest.CloneVm | CloneRequest.CloneVfork | SigChld, 0, 0, 0, 0)),
            ["open"] = (_, a) => Open("open", a, 0),
            ["openat"] = (_, a) => Open("openat", a, 1),
            ["readlink"] = (_, a) => Readlink("readlink", a, 0),
            ["readlinkat"] = (_, a) => Readlink("readlinkat", a, 1),
            ["getrlimit"] = Getrlimit,
            ["setrlimit"] = Setrlimit,
            ["prlimit64"] = Prlimit64,
            ["rt_sigaction"] = RtSigaction,
            ["rt_sigreturn"] = (s, _) => Delivery.Return(s),
            ["rt_sigprocmask"] = RtSigprocmask,
            ["sigaltstack"] = Sigaltstack,
            ["rt_sigpending"] = RtSigpending,
            ["rt_sigsuspend"] = RtSigsuspend,
            ["rt_sigtimedwait"] = RtSigtimedwait,
            ["execve"] = Execve,
            ["pause"] = (_, _) => Suspend(Current),
            ["kill"] = (_, a) => a[0] == 0 || a[0] == (ulong)_process.Pid ? RaiseInGuest(a[1], 0, null) : Pass("kill", a),
            ["tkill"] = (_, a) => IsOwnThread(a[0]) ? RaiseInGuest(a[1], (int)a[0], null) : Pass("tkill", a),
            ["tgkill"] = (_, a) => a[0] == (ulong)_process.Pid ? RaiseInGuest(a[2], (int)a[1], null) : Pass("tgkill", a),
            ["rt_sigqueueinfo"] = (_, a) => a[0] == (ulong)_process.Pid ? RaiseInGuest(a[1], 0, a[2]) : Pass("rt_sigqueueinfo", a),
            ["rt_tgsigqueueinfo"] = (_, a) => a[0] == (ulong)_process.Pid ? RaiseInGuest(a[2], (int)a[1], a[3]) : Pass("rt_tgsigqueueinfo", a),
            ["signalfd"] = (_, a) => SignalFd((int)a[0], a[1], a[2], 0),
            ["signalfd4"] = (_, a) => SignalFd((int)a[0], a[1], a[2], (int)a[3]),
            ["read"] = (s, a) => _signalFds.IsSignalFd((int)a[0]) ? ReadSignalFd(s, a) : PassThrough(s, ReadEntry, a),
            ["close"] = Close,
            ["dup"] = (s, a) => Duplicated((int)a[0], PassThrough(s, DupEntry, a)),
            ["dup2"] = (s, a) => Dup2(s, "dup2", a),
            ["dup3"] = (s, a) => Dup2(s, "dup3", a),
            ["fcntl"] = Fcntl,
            ["close_range"] = CloseRange,
            // A seccomp filter would bind the engine's threads too, as the seccomp syscall itself would.
            ["prctl"] = (_, a) => a[0] == PrSetSeccomp ? -Errno.EINVAL : Pass("prctl", a),
        };
        _emulations = byName.ToDictionary(e => SyscallTable.Named(e.Key).Number, e => e.Value);
    }

    public GuestSignalState Signals { get; } = new();
    /// <summary>Hands the signals of <see cref="Signals"/> to the guest's handlers.</summary>
    public SignalDelivery Delivery { get; }
    /// <summary>
    /// Raised with the calling thread's state (a GuestState*) and Valgrind's warning when the guest names a descriptor
    /// it may not use; the call fails.
    /// </summary>
    public event Action<nint, string>? InvalidDescriptor;
    /// <summary>Raised in a forked child, with its pid, before it runs guest code.</summary>
    public event Action<int>? ForkedChild;
    /// <summary>Who runs the guest threads; without it the guest is one thread and cannot clone.</summary>
    public IGuestThreads? Threads { get; set; }
    /// <summary>Where the calling thread asked its thread id to be cleared at exit (set_tid_address).</summary>
    public ulong ClearChildTid => Current.ClearChildTid;
    /// <summary>The calling thread's robust futex list head (set_robust_list), for thread exit.</summary>
    public ulong RobustListHead => Current.RobustListHead;

    private readonly GuestThread _soleThread = new(Environment.ProcessId);
    /// <summary>The guest thread making the syscall (the only one when no <see cref="Threads"/> runs them).</summary>
    public GuestThread Current => Threads?.Current ?? _soleThread;

    /// <summary>Numbers of the syscalls this handler emulates.</summary>
    internal IEnumerable<int> EmulatedNumbers => _emulations.Keys.Append(ExitNumber).Append(ExitGroupNumber);

    public SyscallOutcome Handle(GuestState* state)
    {
        ulong number = state->Gpr[RaxIndex];
        Span<ulong> args = stackalloc ulong[ArgumentRegisters.Length];
        for (int i = 0; i < args.Length; i++) args[i] = state->Gpr[ArgumentRegisters[i]];

        // The kernel keeps only the exit status's low byte.
        if (number == (ulong)ExitNumber || number == (ulong)ExitGroupNumber)
        {
            Current.ExitsGroup = number == (ulong)ExitGroupNumber;
            if (Current.ExitsGroup) ReturnToVforkParent();
            return SyscallOutcome.Exit((int)(args[0] & 0xFF));
        }

        var entry = SyscallTable.Find(number);
        long result;
        if (entry is null || entry.Treatment == SyscallTreatment.Unsupported)
        {
            WarnUnhandled(number);
            result = -Errno.ENOSYS;
        }
        else if (entry.Treatment == SyscallTreatment.Emulated)
            result = _emulations[entry.Number](state, args);
        else
            result = PassThrough(state, entry, args);

        if (result == Restarted)
        {
            // Made again once the handler returns: back on the syscall instruction, with its number in RAX.
            state->Rip -= SyscallInstructionLength;
            state->Gpr[RaxIndex] = number;
            return SyscallOutcome.Restart;
        }
        state->Gpr[RaxIndex] = (ulong)result;
        return SyscallOutcome.Continue;
    }

    /// <summary>
    /// A syscall the host kernel runs with the guest's arguments, once every buffer it would write is known to be
    /// the guest's. One that may block runs without the guest lock and can be interrupted (<see cref="Blocking"/>);
    /// a write that fails with EPIPE sends the writing thread SIGPIPE, as the kernel does.
    /// </summary>
    private long PassThrough(GuestState* state, SyscallEntry entry, ReadOnlySpan<ulong> args)
    {
        if (entry.Arguments is not null && !_outputs.AllInGuest(entry.Arguments, args)) return -Errno.EFAULT;
        long result = Threads is { } threads && SyscallTable.MayBlock(entry.Number)
            ? Blocking(entry.Number, args, threads)
            : HostSyscall.Invoke(entry.Number, args);
        if (result == -Errno.EPIPE && RaisesSigpipe(entry.Number, args)) RaiseSigpipe();
        return result;
    }

    /// <summary>Valgrind's text for a syscall it has no wrapper for, on the warnings writer.</summary>
    private void WarnUnhandled(ulong number)
    {
        string prefix = $"--{_process.Pid}-- ";
        _warnings.Write(
            $"{prefix}WARNING: unhandled amd64-linux syscall: {(long)number}\n" +
            $"{prefix}You may be able to write your own handler.\n" +
            $"{prefix}Read the file README_MISSING_SYSCALL_OR_IOCTL.\n" +
            $"{prefix}Nevertheless we consider this a bug.  Please report\n" +
            $"{prefix}it at http://valgrind.org/support/bug_reports.html.\n");
    }

    private long Pass(string name, ReadOnlySpan<ulong> args) => HostSyscall.Invoke(SyscallTable.Named(name).Number, args);

    private long Close(GuestState* state, ReadOnlySpan<ulong> args)
    {
        int fd = (int)args[0];
        if (!_process.Descriptors.Allows(fd, isNew: false)) return Refused(state, fd, "close", Errno.EBADF);
        if (_hostFds.IsHost(fd)) return -Errno.EBADF;
        long result = Pass("close", args);
        // Closed even when close fails (EINTR, EIO): the descriptor is gone either way.
        if (result != -Errno.EBADF) _signalFds.Closed(fd);
        return result;
    }

    /// <summary>dup2 or dup3: the target must be a descriptor the guest may make, and not the host's.</summary>
    private long Dup2(GuestState* state, string name, ReadOnlySpan<ulong> args)
    {
        if (!_process.Descriptors.Allows((int)args[1], isNew: true)) return Refused(state, (int)args[1], name, Errno.EBADF);
        return _hostFds.IsHost((int)args[1]) ? -Errno.EBADF : Replaced((int)args[0], (int)args[1], Pass(name, args));
    }

    /// <summary>A descriptor the guest may not use, refused with Valgrind's warning.</summary>
    private long Refused(GuestState* state, long fd, string syscall, int errno)
    {
        InvalidDescriptor?.Invoke((nint)state, $"Warning: invalid file descriptor {fd} in syscall {syscall}()");
        return -errno;
    }

    /// <summary>A descriptor dup2 or dup3 made: what <paramref name="newFd"/> was is closed, and it is a copy of <paramref name="oldFd"/>.</summary>
    private long Replaced(int oldFd, int newFd, long result)
    {
        if (result < 0 || oldFd == newFd) return result;
        _signalFds.Closed(newFd);
        return Duplicated(oldFd, result);
    }

    private long Duplicated(int original, long copy)
    {
        if (copy >= 0) _signalFds.Duplicated(original, (int)copy);
        return copy;
    }

    private long Fcntl(GuestState* state, ReadOnlySpan<ulong> args)
    {
        const int dupFd = 0, dupFdCloseOnExec = 1030;
        long result = PassThrough(state, FcntlEntry, args);
        if ((int)args[1] is not (dupFd or dupFdCloseOnExec)) return result;
        if (result >= 0 && !_process.Descriptors.Allows(result, isNew: true))
        {
            Close((int)result);
            return Refused(state, result, "fcntl(DUPFD)", Errno.EMFILE);
        }
        return Duplicated((int)args[0], result);
    }

    private long Madvise(GuestState* state, ReadOnlySpan<ulong> args)
    {
        // Advice that discards contents may only touch guest memory; the rest is a hint, harmless anywhere.
        const int dontNeed = 4, free = 8, remove = 9, wipeOnFork = 18;
        bool discards = (int)args[2] is dontNeed or free or remove or wipeOnFork;
        return discards && !_memory.CanRead(args[0], args[1]) ? -Errno.ENOMEM : Pass("madvise", args);
    }

    private long ArchPrctl(GuestState* state, ReadOnlySpan<ulong> args)
    {
        const int setGs = 0x1001, setFs = 0x1002, getFs = 0x1003, getGs = 0x1004;
        const ulong userSpaceEnd = 0x0000_7FFF_FFFF_F000;
        ulong addr = args[1];
        switch ((int)args[0])
        {
            case setFs or setGs when addr >= userSpaceEnd:
                return -Errno.EPERM;
            case setFs:
                state->FsBase = addr;
                return 0;
            case setGs:
                state->GsBase = addr;
                return 0;
            case getFs:
                return _memory.TryWrite(addr, state->FsBase) ? 0 : -Errno.EFAULT;
            case getGs:
                return _memory.TryWrite(addr, state->GsBase) ? 0 : -Errno.EFAULT;
            default:
                return -Errno.EINVAL;
        }
    }

    /// <summary>
    /// A thread when the child shares the memory (CLONE_VM); otherwise a process, forked on the host. vfork and
    /// CLONE_VFORK become a fork, as under Valgrind: the child cannot share the engine's memory and stack. As
    /// with a real vfork, the parent waits until the child has exec'd or exited, and then sees what the child
    /// wrote into the parent's stack frames: posix_spawn reads the errno of a failed exec there.
    /// </summary>
    private long Clone(GuestState* state, CloneRequest request)
    {
        if (Threads is not { } threads) return -Errno.ENOSYS;
        bool sharesMemory = request.Has(CloneRequest.CloneVm) && !request.Has(CloneRequest.CloneVfork);
        if (sharesMemory) return threads.CreateThread(state, request);
        if (!request.Has(CloneRequest.CloneVfork)) return Fork(state, request, threads);

        // A pipe the child holds open until its exec (close-on-exec) or exit: the parent waits for its end.
        const int closeOnExec = 0x80000;
        int* ends = stackalloc int[2];
        long piped = HostSyscall.Invoke(SyscallTable.Named("pipe2").Number, (ulong)ends, closeOnExec);
        if (piped < 0) return piped;
        int parentPid = _process.Pid;
        ulong stack = state->Gpr[RspIndex];
        long pid = Fork(state, request, threads);
        if (pid == 0)
        {
            Close(ends[0]);
            _hostFds.Protect(ends[1]);
            _vforkParent = new VforkParent(parentPid, stack, ReadableLength(stack, VforkStackShared));
            return 0;
        }
        Close(ends[1]);
        if (pid > 0)
        {
            byte ignored;
            threads.LeaveGuest();
            try
            {
                while (HostSyscall.Invoke(SyscallTable.Named("read").Number, (ulong)ends[0], (ulong)&ignored, 1) == -Errno.EINTR) { }
            }
            finally { threads.EnterGuest(); }
        }
        Close(ends[0]);
        return pid;
    }

    /// <summary>How much of the parent's stack above its RSP a vfork child writes back (posix_spawn's frame is a few hundred bytes).</summary>
    private const ulong VforkStackShared = 8 << 10;

    /// <summary>The parent of this vfork child, and the part of its stack the child gives back at exit.</summary>
    private readonly record struct VforkParent(int Pid, ulong Stack, ulong Length);
    private VforkParent? _vforkParent;

    private long Fork(GuestState* state, CloneRequest request, IGuestThreads threads)
    {
        long pid = threads.Fork(state, request);
        if (pid == 0)
        {
            _vforkParent = null;
            _process.Pid = (int)HostSyscall.Invoke(SyscallTable.Named("getpid").Number);
            ForkedChild?.Invoke(_process.Pid);
        }
        return pid;
    }

    /// <summary>A vfork child exits without exec: the parent, still waiting, gets the stack the child may have written.</summary>
    private void ReturnToVforkParent()
    {
        if (_vforkParent is not { } parent) return;
        _vforkParent = null;
        ulong* local = stackalloc ulong[2] { parent.Stack, parent.Length };
        HostSyscall.Invoke(SyscallTable.Named("process_vm_writev").Number, (ulong)parent.Pid, (ulong)local, 1, (ulong)local, 1, 0);
    }

    /// <summary>The length of guest memory readable from <paramref name="start"/>, page by page, up to <paramref name="limit"/>.</summary>
    private ulong ReadableLength(ulong start, ulong limit)
    {
        ulong length = 0;
        while (length < limit)
        {
            ulong step = Math.Min(limit - length, 4096 - ((start + length) & 4095));
            if (!_memory.CanRead(start + length, step)) break;
            length += step;
        }
        return length;
    }

    private static void Close(int fd) => HostSyscall.Invoke(SyscallTable.Named("close").Number, (ulong)fd);

    private long SetTidAddress(GuestState* state, ReadOnlySpan<ulong> args)
    {
        Current.ClearChildTid = args[0];
        return HostSyscall.Invoke(SyscallTable.Named("gettid").Number);
    }

    private long SetRobustList(GuestState* state, ReadOnlySpan<ulong> args)
    {
        const ulong robustListHeadSize = 24;
        if (args[1] != robustListHeadSize) return -Errno.EINVAL;
        Current.RobustListHead = args[0];
        return 0;
    }

    /// <summary>
    /// Files of /proc/self that describe the guest rather than the engine, and the preload objects; others reach the host.
    /// </summary>
    /// <param name="pathArg">Index of the path argument; flags and mode follow it.</param>
    private long Open(string name, ReadOnlySpan<ulong> args, int pathArg)
    {
        // An absolute path ignores openat's directory descriptor.
        string? path = _memory.ReadCString(args[pathArg]);
        if (path is null) return -Errno.EFAULT;
        int flags = (int)args[pathArg + 1];
        return _procSelf.Open(path, flags, (int)args[pathArg + 2]) ?? _process.Preloads.Open(path, flags) ?? Pass(name, args);
    }

    /// <summary>/proc/self/exe (or /proc/&lt;pid&gt;/exe) names the guest executable, not the engine.</summary>
    /// <param name="pathArg">Index of the path argument; the buffer and its size follow it.</param>
    private long Readlink(string name, ReadOnlySpan<ulong> args, int pathArg)
    {
        ulong buffer = args[pathArg + 1], size = args[pathArg + 2];
        string? path = _memory.ReadCString(args[pathArg]);
        if (path is null) return -Errno.EFAULT;
        if (_procSelf.LinkTarget(path) is not { } link)
            return _memory.CanWrite(buffer, size) ? Pass(name, args) : -Errno.EFAULT;
        if ((int)size <= 0) return -Errno.EINVAL;
        byte[] target = Encoding.UTF8.GetBytes(link);
        int length = Math.Min(target.Length, (int)size); // readlink truncates silently and adds no NUL
        return _memory.TryWrite(buffer, target.AsSpan(0, length)) ? length : -Errno.EFAULT;
    }

    private long Getrlimit(GuestState* state, ReadOnlySpan<ulong> args) => args[0] switch
    {
        ResourceLimit.RlimitStack => _memory.TryWrite(args[1], _process.StackLimit) ? 0 : -Errno.EFAULT,
        DescriptorLimits.RlimitNofile => _memory.TryWrite(args[1], _process.Descriptors.Limit) ? 0 : -Errno.EFAULT,
        _ => _memory.CanWrite(args[1], 16) ? Pass("getrlimit", args) : -Errno.EFAULT,
    };

    private long Setrlimit(GuestState* state, ReadOnlySpan<ulong> args)
    {
        if (args[0] is not (ResourceLimit.RlimitStack or DescriptorLimits.RlimitNofile)) return Pass("setrlimit", args);
        return _memory.TryRead(args[1], out ResourceLimit limit) ? SetOwnLimit(args[0], limit) : -Errno.EFAULT;
    }

    private long Prlimit64(GuestState* state, ReadOnlySpan<ulong> args)
    {
        bool self = args[0] == 0 || args[0] == (ulong)_process.Pid;
        if (!self || args[1] is not (ResourceLimit.RlimitStack or DescriptorLimits.RlimitNofile))
            return args[3] == 0 || _memory.CanWrite(args[3], 16) ? Pass("prlimit64", args) : -Errno.EFAULT;
        ResourceLimit old = args[1] == ResourceLimit.RlimitStack ? _process.StackLimit : _process.Descriptors.Limit;
        if (args[2] != 0)
        {
            if (!_memory.TryRead(args[2], out ResourceLimit limit)) return -Errno.EFAULT;
            long set = SetOwnLimit(args[1], limit);
            if (set < 0) return set;
        }
        return args[3] == 0 || _memory.TryWrite(args[3], old) ? 0 : -Errno.EFAULT;
    }

    /// <summary>A limit the engine keeps for the guest (the stack's, the descriptors') set.</summary>
    private long SetOwnLimit(ulong resource, ResourceLimit limit) =>
        resource == ResourceLimit.RlimitStack ? SetStackLimit(limit) : _process.Descriptors.Set(limit);

    /// <summary>The guest may lower its stack limit or raise it up to the hard limit, as an unprivileged process.</summary>
    private long SetStackLimit(ResourceLimit limit)
    {
        if (limit.Current > limit.Maximum) return -Errno.EINVAL;
        if (limit.Maximum > _process.StackLimit.Maximum) return -Errno.EPERM;
        _process.StackLimit = limit;
        return 0;
    }

    /// <summary>
    /// The guest replaces itself: the host process execs the new program natively (Valgrind with
    /// --trace-children=no prints nothing more either), keeping its descriptors, the environment the guest
    /// passes less the preload objects (as Valgrind strips them), the guest's signal mask and the signals it ignores.
    /// </summary>
    private long Execve(GuestState* state, ReadOnlySpan<ulong> args)
    {
        if (!_outputs.AllInGuest(SyscallTable.Named("execve").Arguments!, args)) return -Errno.EFAULT;
        using var environment = ExecEnvironment.Of(_memory, args[2], _process.Preloads);
        Span<ulong> passed = stackalloc ulong[args.Length];
        args.CopyTo(passed);
        passed[2] = environment.Envp;
        using (HostSignals.ForExec(Signals.Ignored, Current.SignalMask))
            return Pass("execve", passed);
    }

    /// <summary>close_range over the guest's descriptors only: the host's inside the range stay open.</summary>
    private long CloseRange(GuestState* state, ReadOnlySpan<ulong> args)
    {
        uint first = (uint)args[0], last = (uint)args[1];
        if (first > last) return -Errno.EINVAL;
        int number = SyscallTable.Named("close_range").Number;
        ulong from = first;
        foreach (int fd in _hostFds.Numbers.Where(fd => (uint)fd >= first && (uint)fd <= last && _hostFds.IsHost(fd)))
        {
            if ((ulong)fd > from)
            {
                long result = HostSyscall.Invoke(number, from, (ulong)fd - 1, args[2]);
                if (result < 0) return result;
            }
            from = (ulong)fd + 1;
        }
        long closed = from <= last ? HostSyscall.Invoke(number, from, last, args[2]) : 0;
        const ulong closeRangeCloexec = 4;
        if (closed == 0 && (args[2] & closeRangeCloexec) == 0)
            _signalFds.ClosedRange(first, last);
        return closed;
    }
}
