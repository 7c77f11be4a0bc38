using System.Text;

namespace Memcheck.Engine.Os;

/// <summary>A file whose contents the engine makes up for the guest: an anonymous in-memory file (memfd).</summary>
internal static unsafe class MemoryFile
{
    private const int CloseOnExec = 0x80000, MemfdCloseOnExec = 1;

    /// <summary>A descriptor of a new memory file holding <paramref name="contents"/>, positioned at its start, or -errno.</summary>
    /// <param name="flags">The guest's open flags: O_CLOEXEC carries over.</param>
    public static long Create(string name, byte[] contents, int flags)
    {
        long fd;
        fixed (byte* memfdName = Encoding.UTF8.GetBytes(name + "\0"))
            fd = HostSyscall.Invoke(SyscallTable.Named("memfd_create").Number, (ulong)memfdName,
                (flags & CloseOnExec) != 0 ? MemfdCloseOnExec : 0UL);
        if (fd < 0) return fd;
        fixed (byte* data = contents)
        {
            for (int written = 0; written < contents.Length;)
            {
                long result = HostSyscall.Invoke(SyscallTable.Named("write").Number, (ulong)fd, (ulong)(data + written), (ulong)(contents.Length - written));
                if (result < 0)
                {
                    HostSyscall.Invoke(SyscallTable.Named("close").Number, (ulong)fd);
                    return result;
                }
                written += (int)result;
            }
        }
        HostSyscall.Invoke(SyscallTable.Named("lseek").Number, (ulong)fd, 0, 0);
        return fd;
    }
}
