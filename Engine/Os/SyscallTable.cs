namespace Memcheck.Engine.Os;

/// <summary>
/// Every syscall the kernel headers of the build machine know (x86-64), generated into
/// SyscallTable.Generated.cs by gen-syscall-table.sh from unistd_64.h and syscall-layouts.txt.
/// </summary>
public static partial class SyscallTable
{
    private static readonly SyscallEntry?[] ByNumberIndex;
    private static readonly Dictionary<string, SyscallEntry> ByNameIndex;
    private static readonly HashSet<int> BlockingNumbers;

    /// <summary>
    /// Syscalls that may wait in the host kernel for another thread or process (pipes, sockets, futexes,
    /// sleeps, children): the caller leaves the guest lock around them so the other guest threads run.
    /// </summary>
    private static readonly string[] BlockingNames =
    [
        "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
        "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_pwait2",
        "nanosleep", "clock_nanosleep", "pause", "rt_sigsuspend", "rt_sigtimedwait", "futex", "futex_waitv", "wait4", "waitid", "sched_yield",
        "accept", "accept4", "connect", "recvfrom", "recvmsg", "recvmmsg", "sendto", "sendmsg", "sendmmsg",
        "msgrcv", "msgsnd", "semop", "semtimedop", "flock", "fsync", "fdatasync", "sendfile", "splice", "tee",
        "copy_file_range", "mq_timedreceive", "mq_timedsend", "io_getevents",
    ];

    // A static constructor, not field initialisers: those of another partial file may run later.
    static SyscallTable()
    {
        ByNumberIndex = new SyscallEntry?[Generated.Max(e => e.Number) + 1];
        foreach (var entry in Generated) ByNumberIndex[entry.Number] = entry;
        ByNameIndex = Generated.ToDictionary(e => e.Name);
        BlockingNumbers = [.. BlockingNames.Select(name => ByNameIndex[name].Number)];
    }

    public static IReadOnlyList<SyscallEntry> Entries => Generated;

    /// <summary>The entry for a syscall number; null for numbers the kernel header does not define.</summary>
    public static SyscallEntry? Find(ulong number) => number < (ulong)ByNumberIndex.Length ? ByNumberIndex[number] : null;

    /// <summary>Whether the syscall may wait for another thread or process (see <see cref="BlockingNames"/>).</summary>
    public static bool MayBlock(int number) => BlockingNumbers.Contains(number);

    /// <summary>The entry named as in the kernel header (without the __NR_ prefix).</summary>
    public static SyscallEntry Named(string name) =>
        ByNameIndex.TryGetValue(name, out var entry) ? entry : throw new KeyNotFoundException($"no syscall named {name}");
}
