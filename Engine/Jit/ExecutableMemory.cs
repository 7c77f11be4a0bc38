using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Memcheck.Engine.Jit;

/// <summary>An anonymous read-write-execute mapping of our own, so generated code never depends on the runtime's W^X setting.</summary>
internal static partial class ExecutableMemory
{
    private const int ProtRead = 1, ProtWrite = 2, ProtExec = 4;
    private const int MapPrivate = 0x02, MapAnonymous = 0x20;

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint addr, nuint length);

    public static nint Map(long size)
    {
        nint p = mmap(0, (nuint)size, ProtRead | ProtWrite | ProtExec, MapPrivate | MapAnonymous, -1, 0);
        if (p == -1) throw new Win32Exception(Marshal.GetLastPInvokeError(), "mmap of the code cache failed");
        return p;
    }

    public static void Unmap(nint address, long size)
    {
        if (munmap(address, (nuint)size) != 0)
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "munmap of the code cache failed");
    }
}
