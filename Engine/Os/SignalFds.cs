namespace Memcheck.Engine.Os;

/// <summary>
/// The guest's signalfds. Guest signals never become pending on the host (the engine keeps them, see
/// <see cref="GuestSignalState"/>), so a host signalfd would never see them: each guest signalfd is an eventfd,
/// readable while a signal of its mask is pending, whose reads the syscall layer emulates (taking the signals as
/// signalfd_siginfo records). Readiness follows the pending signals of the process and of the thread that last
/// changed them (the kernel's follows the polling thread's); the host signal handler makes it readable for a signal
/// arriving from outside (<see cref="HostSignals.WatchSignalFd"/>). Duplicated descriptors share one watch, as
/// they share one open file.
/// </summary>
internal sealed unsafe class SignalFds(GuestSignalState signals)
{
    /// <summary>signalfd_siginfo's size: what each record read takes.</summary>
    public const int RecordSize = 128;
    private const int PollIn = 1, NonBlocking = 0x800, CloseOnExec = 0x80000;
    private static readonly int EventfdNumber = SyscallTable.Named("eventfd2").Number;
    private static readonly int ReadNumber = SyscallTable.Named("read").Number;
    private static readonly int WriteNumber = SyscallTable.Named("write").Number;
    private static readonly int PollNumber = SyscallTable.Named("poll").Number;
    private static readonly int CloseNumber = SyscallTable.Named("close").Number;

    /// <summary>One open signalfd: its mask and the descriptors that refer to it.</summary>
    private sealed class Watch
    {
        public ulong Mask;
        public readonly List<int> Fds = [];
    }

    private readonly Dictionary<int, Watch> _byFd = [];

    public bool IsSignalFd(int fd) => _byFd.Count != 0 && _byFd.ContainsKey(fd);

    public ulong MaskOf(int fd) => _byFd[fd].Mask;

    /// <summary>signalfd4: a new signalfd when <paramref name="fd"/> is -1, else a new mask for that one.</summary>
    public long Create(int fd, ulong mask, int flags, GuestThread thread)
    {
        if ((flags & ~(NonBlocking | CloseOnExec)) != 0) return -Errno.EINVAL;
        mask &= ~GuestSignalState.Unblockable;
        if (fd != -1)
        {
            if (!_byFd.TryGetValue(fd, out var existing)) return -Errno.EINVAL;
            existing.Mask = mask;
            if (!Publish(existing)) return -Errno.ENOMEM;
            Refresh(thread);
            return fd;
        }
        // eventfd2's flags have open's values: EFD_NONBLOCK is O_NONBLOCK, EFD_CLOEXEC is O_CLOEXEC.
        long created = HostSyscall.Invoke(EventfdNumber, 0, (ulong)flags);
        if (created < 0) return created;
        var watch = new Watch { Mask = mask };
        watch.Fds.Add((int)created);
        if (!Publish(watch))
        {
            HostSyscall.Invoke(CloseNumber, (ulong)created);
            return -Errno.ENOMEM;
        }
        _byFd[(int)created] = watch;
        Refresh(thread);
        return created;
    }

    /// <summary>The guest closed <paramref name="fd"/> (or replaced it with dup2): no longer a signalfd.</summary>
    public void Closed(int fd)
    {
        if (!_byFd.Remove(fd, out var watch)) return;
        HostSignals.UnwatchSignalFd(fd);
        watch.Fds.Remove(fd);
        if (watch.Fds.Count > 0) Publish(watch);
    }

    /// <summary>close_range closed the descriptors from <paramref name="first"/> to <paramref name="last"/>.</summary>
    public void ClosedRange(uint first, uint last)
    {
        foreach (int fd in _byFd.Keys.Where(fd => (uint)fd >= first && (uint)fd <= last).ToList()) Closed(fd);
    }

    /// <summary><paramref name="copy"/> now refers to what <paramref name="original"/> does (dup, dup2, F_DUPFD).</summary>
    public void Duplicated(int original, int copy)
    {
        if (!_byFd.TryGetValue(original, out var watch)) return;
        watch.Fds.Add(copy);
        _byFd[copy] = watch;
    }

    /// <summary>Whether reads of <paramref name="fd"/> wait for a signal rather than fail with EAGAIN.</summary>
    public static bool Blocks(int fd)
    {
        const int getFlags = 3;
        return (HostSyscall.Invoke(SyscallTable.Named("fcntl").Number, (ulong)fd, getFlags) & NonBlocking) == 0;
    }

    /// <summary>
    /// Makes each signalfd readable exactly while a signal of its mask is pending for the process or
    /// <paramref name="thread"/>, or has reached the host. Emptied first and then filled, so a signal the host
    /// handler records meanwhile leaves it readable.
    /// </summary>
    public void Refresh(GuestThread thread)
    {
        if (_byFd.Count == 0) return;
        foreach (var watch in _byFd.Values.Distinct())
        {
            int fd = watch.Fds[0];
            Drain(fd);
            if (((signals.Pending | thread.PendingSignals | HostSignals.Peek()) & watch.Mask) == 0) continue;
            ulong one = 1;
            HostSyscall.Invoke(WriteNumber, (ulong)fd, (ulong)&one, sizeof(ulong));
        }
    }

    /// <summary>Empties the eventfd's count, without blocking whatever its flags.</summary>
    private static void Drain(int fd)
    {
        ulong pollFd = (uint)fd | (ulong)PollIn << 32;
        if (HostSyscall.Invoke(PollNumber, (ulong)&pollFd, 1, 0) <= 0) return;
        ulong count;
        HostSyscall.Invoke(ReadNumber, (ulong)fd, (ulong)&count, sizeof(ulong));
    }

    private static bool Publish(Watch watch)
    {
        foreach (int fd in watch.Fds) HostSignals.UnwatchSignalFd(fd);
        return HostSignals.WatchSignalFd(watch.Fds[0], watch.Mask);
    }

    /// <summary>The signalfd_siginfo record of a signal taken with its siginfo, as the kernel fills it for the siginfo's layout.</summary>
    public static void Record(int signal, ReadOnlySpan<byte> info, Span<byte> record)
    {
        const int sigChld = 17, sigPoll = 29, siTimer = -2;
        record.Clear();
        int code = BitConverter.ToInt32(info[8..]);
        Write(record, 0, signal);
        Write(record, 4, BitConverter.ToInt32(info[4..]));
        Write(record, 8, code);
        bool fault = code > 0 && signal is 4 or 5 or 7 or 8 or 11;
        if (fault)
            BitConverter.TryWriteBytes(record[72..], BitConverter.ToUInt64(info[16..]));           // ssi_addr
        else if (code > 0 && signal == sigPoll)
        {
            Write(record, 28, (int)BitConverter.ToInt64(info[16..]));                               // ssi_band
            Write(record, 20, BitConverter.ToInt32(info[24..]));                                    // ssi_fd
        }
        else if (code == siTimer)
        {
            Write(record, 24, BitConverter.ToInt32(info[16..]));                                    // ssi_tid
            Write(record, 32, BitConverter.ToInt32(info[20..]));                                    // ssi_overrun
            CopySigval(info, record);
        }
        else
        {
            Write(record, 12, BitConverter.ToInt32(info[16..]));                                    // ssi_pid
            Write(record, 16, BitConverter.ToInt32(info[20..]));                                    // ssi_uid
            if (code > 0 && signal == sigChld)
            {
                Write(record, 40, BitConverter.ToInt32(info[24..]));                                // ssi_status
                BitConverter.TryWriteBytes(record[56..], BitConverter.ToUInt64(info[32..]));        // ssi_utime
                BitConverter.TryWriteBytes(record[64..], BitConverter.ToUInt64(info[40..]));        // ssi_stime
            }
            else if (code < 0) CopySigval(info, record);
        }
    }

    /// <summary>A queued signal's value: ssi_int and ssi_ptr both hold si_value.</summary>
    private static void CopySigval(ReadOnlySpan<byte> info, Span<byte> record)
    {
        Write(record, 44, BitConverter.ToInt32(info[24..]));
        BitConverter.TryWriteBytes(record[48..], BitConverter.ToUInt64(info[24..]));
    }

    private static void Write(Span<byte> record, int offset, int value) => BitConverter.TryWriteBytes(record[offset..], value);
}
