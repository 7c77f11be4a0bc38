namespace Memcheck.Engine.Os;

/// <summary>Questions about the engine's own address space that reading memory would answer only by faulting.</summary>
internal static unsafe class HostMemory
{
    private static readonly long ProcessVmReadv = SyscallTable.Named("process_vm_readv").Number;

    /// <summary>
    /// Whether the page holding <paramref name="address"/> can be read without a fault: mapped readable and backed
    /// (a file mapping past the end of its file is mapped, yet reading it raises SIGBUS). The kernel copies one byte
    /// of it for us, and a page that cannot be read is an error for the copy, not a signal.
    /// </summary>
    public static bool IsReadable(ulong address)
    {
        byte sink;
        var local = stackalloc ulong[2] { (ulong)&sink, 1 };
        var remote = stackalloc ulong[2] { address, 1 };
        long pid = HostSyscall.Invoke(SyscallTable.Named("getpid").Number);
        return HostSyscall.Invoke(ProcessVmReadv, (ulong)pid, (ulong)local, 1, (ulong)remote, 1, 0) == 1;
    }
}
