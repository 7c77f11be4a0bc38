namespace Memcheck.Engine.Os;

/// <summary>
/// File descriptors the engine and the .NET runtime hold. The guest shares the host's descriptor table, so
/// closing or dup-ing over one of these would break the host; such calls fail with EBADF, as Valgrind
/// refuses its own descriptors. Each descriptor is remembered with the identity (device, inode) of what it
/// referred to, so a number the host closed and the guest later got back is the guest's again.
/// </summary>
public sealed unsafe class HostFileDescriptors
{
    private readonly Dictionary<int, (ulong Device, ulong Inode)> _identities = [];

    /// <summary>Every descriptor open now except stdin, stdout and stderr, which belong to the guest too.
    /// Take it before the guest runs.</summary>
    public static HostFileDescriptors Snapshot()
    {
        var fds = new HostFileDescriptors();
        // Parse the listing first: the directory handle that enumerates it is itself an entry, closed by the
        // time Protect looks at it, so it is left out.
        var numbers = Directory.GetFileSystemEntries("/proc/self/fd").Select(p => int.Parse(Path.GetFileName(p))).ToList();
        foreach (int fd in numbers.Where(fd => fd > 2)) fds.Protect(fd);
        return fds;
    }

    /// <summary>Protect a descriptor the engine opened; ignored if it is not open.</summary>
    public void Protect(int fd)
    {
        if (Identity(fd) is { } identity) _identities[fd] = identity;
    }

    /// <summary>Whether the descriptor still refers to what the host opened.</summary>
    public bool IsHost(int fd) => _identities.TryGetValue(fd, out var identity) && Identity(fd) == identity;

    /// <summary>The protected descriptors, ascending (the ones the host has since closed included).</summary>
    public IEnumerable<int> Numbers => _identities.Keys.Order();

    private static (ulong, ulong)? Identity(int fd)
    {
        // struct stat (144 bytes on x86-64) starts with st_dev then st_ino.
        var stat = stackalloc ulong[18];
        long result = HostSyscall.Invoke(SyscallTable.Named("fstat").Number, (ulong)fd, (ulong)stat);
        return result < 0 ? null : (stat[0], stat[1]);
    }
}
