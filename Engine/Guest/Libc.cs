using System.Runtime.InteropServices;

namespace Memcheck.Engine.Guest;

/// <summary>The host libc calls that place guest memory. Results follow libc: -1 / MAP_FAILED and errno.</summary>
internal static unsafe partial class Libc
{
    public static readonly nint MapFailed = -1;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint addr, nuint length);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    public static partial int Mprotect(nint addr, nuint length, int prot);

    [LibraryImport("libc", EntryPoint = "mremap", SetLastError = true)]
    public static partial nint Mremap(nint oldAddr, nuint oldSize, nuint newSize, int flags, nint newAddr);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Access(string path, int mode);

    /// <summary>fstat into a struct stat buffer (x86-64: 144 bytes, st_dev at 0, st_ino at 8).</summary>
    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    public static partial int Fstat(int fd, byte* buffer);

    [LibraryImport("libc", EntryPoint = "stat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Stat(string path, byte* buffer);

    public const int StatSize = 144;

    /// <summary>The file's device and inode, null when it cannot be stat'ed.</summary>
    public static (ulong Device, ulong Inode)? Identity(string path)
    {
        byte* stat = stackalloc byte[StatSize];
        return Stat(path, stat) == 0 ? (*(ulong*)stat, *(ulong*)(stat + 8)) : null;
    }

    [LibraryImport("libc", EntryPoint = "getuid")] public static partial uint GetUid();
    [LibraryImport("libc", EntryPoint = "geteuid")] public static partial uint GetEuid();
    [LibraryImport("libc", EntryPoint = "getgid")] public static partial uint GetGid();
    [LibraryImport("libc", EntryPoint = "getegid")] public static partial uint GetEgid();

    public const int ORdOnly = 0, OCloExec = 0x80000;
    public const int XOk = 1;

    public static int Errno => Marshal.GetLastPInvokeError();
}
