using System.Text;

namespace Memcheck.Engine.Os;

/// <summary>
/// The files of /proc/self (and /proc/&lt;pid&gt;) whose host contents describe the engine, shown as the
/// guest's: exe links to the guest executable, auxv, cmdline and maps hold the guest's auxiliary vector,
/// argv and mappings.
/// </summary>
internal sealed unsafe class ProcSelfView(ProcessInfo process)
{
    private const int AccessModeMask = 3, AtFdCwd = -100;

    /// <summary>The target a readlink of the path shows the guest; null when the host's answer is right.</summary>
    public string? LinkTarget(string path) => IsSelf(path, "exe") ? process.ExecutablePath : null;

    /// <summary>
    /// Opens the guest's view of the path: a descriptor, -errno, or null when the path is an ordinary file
    /// for the host to open.
    /// </summary>
    public long? Open(string path, int flags, int mode)
    {
        if (IsSelf(path, "exe")) return OpenHostPath(process.ExecutablePath, flags, mode);
        byte[]? contents = IsSelf(path, "auxv") ? process.Auxv
            : IsSelf(path, "cmdline") ? Encoding.UTF8.GetBytes(string.Concat(process.Argv.Select(a => a + "\0")))
            : IsSelf(path, "maps") && process.ProcMaps is { } maps ? Encoding.UTF8.GetBytes(maps())
            : null;
        if (contents is null) return null;
        // These files are read-only.
        return (flags & AccessModeMask) != 0 ? -Errno.EACCES : MemoryFile.Create(Path.GetFileName(path), contents, flags);
    }

    private bool IsSelf(string path, string entry) => path == $"/proc/self/{entry}" || path == $"/proc/{process.Pid}/{entry}";

    private static long OpenHostPath(string path, int flags, int mode)
    {
        fixed (byte* name = Encoding.UTF8.GetBytes(path + "\0"))
            return HostSyscall.Invoke(SyscallTable.Named("openat").Number, unchecked((ulong)AtFdCwd), (ulong)name, (ulong)flags, (ulong)mode);
    }
}
