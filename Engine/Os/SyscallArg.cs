namespace Memcheck.Engine.Os;

/// <summary>What a syscall argument register holds, as a tool needs to know it (memcheck checks what the
/// kernel reads and marks defined what it writes).</summary>
public enum SyscallArgKind : byte
{
    /// <summary>A plain value.</summary>
    Scalar,
    /// <summary>A file descriptor.</summary>
    Fd,
    /// <summary>A NUL-terminated string the kernel reads.</summary>
    CString,
    /// <summary>A NULL-terminated array of C-string pointers the kernel reads (execve's argv, envp).</summary>
    StringArray,
    /// <summary>The kernel reads args[SizeArg] * Size bytes.</summary>
    InBuffer,
    /// <summary>The kernel writes args[SizeArg] * Size bytes.</summary>
    OutBuffer,
    /// <summary>The kernel reads and writes args[SizeArg] * Size bytes.</summary>
    InOutBuffer,
    /// <summary>The kernel may write args[SizeArg] * Size bytes; it writes result * Size of them.</summary>
    OutBufferReturned,
    /// <summary>A struct of Size bytes the kernel reads.</summary>
    InStruct,
    /// <summary>A struct of Size bytes the kernel writes.</summary>
    OutStruct,
    InOutStruct,
    /// <summary>A buffer (sockaddr) whose capacity is the socklen_t at args[SizeArg]; the kernel stores the length it wrote there.</summary>
    OutBufferLengthIn,
    /// <summary>An array of args[SizeArg] iovecs whose buffers the kernel reads.</summary>
    IoVecIn,
    /// <summary>An array of args[SizeArg] iovecs whose buffers the kernel writes, result bytes in total.</summary>
    IoVecOut,
    /// <summary>A msghdr whose name, iovecs and control data the kernel reads (sendmsg).</summary>
    MsgHdrIn,
    /// <summary>A msghdr whose buffers the kernel fills (recvmsg).</summary>
    MsgHdrOut,
    /// <summary>An fd_set the kernel reads and writes, covering the descriptor count in args[SizeArg].</summary>
    FdSet,
    /// <summary>ioctl's argument: what it points to depends on the request in args[SizeArg] (see <see cref="IoctlTable"/>).</summary>
    IoctlArg,
}

/// <summary>
/// One argument of a syscall layout: its name as Valgrind prints it ("Syscall param read(buf) ..."), its
/// kind, <see cref="SizeArg"/> the index of the argument holding a count (-1 when none), and
/// <see cref="Size"/> a fixed struct size or the size of one counted element.
/// The static factories are the vocabulary of syscall-layouts.txt.
/// </summary>
public readonly record struct SyscallArg(string Name, SyscallArgKind Kind, int SizeArg = -1, int Size = 0)
{
    public static SyscallArg Scalar(string name) => new(name, SyscallArgKind.Scalar);
    public static SyscallArg Fd(string name) => new(name, SyscallArgKind.Fd);
    public static SyscallArg CString(string name) => new(name, SyscallArgKind.CString);
    public static SyscallArg StringArray(string name) => new(name, SyscallArgKind.StringArray);
    public static SyscallArg MsgHdrIn(string name) => new(name, SyscallArgKind.MsgHdrIn);
    public static SyscallArg MsgHdrOut(string name) => new(name, SyscallArgKind.MsgHdrOut);

    public static SyscallArg In(string name, int sizeArg, int elementSize = 1) => new(name, SyscallArgKind.InBuffer, sizeArg, elementSize);
    public static SyscallArg Out(string name, int sizeArg, int elementSize = 1) => new(name, SyscallArgKind.OutBuffer, sizeArg, elementSize);
    public static SyscallArg InOut(string name, int sizeArg, int elementSize = 1) => new(name, SyscallArgKind.InOutBuffer, sizeArg, elementSize);
    public static SyscallArg OutReturned(string name, int sizeArg, int elementSize = 1) => new(name, SyscallArgKind.OutBufferReturned, sizeArg, elementSize);
    public static SyscallArg InStruct(string name, int size) => new(name, SyscallArgKind.InStruct, -1, size);
    public static SyscallArg OutStruct(string name, int size) => new(name, SyscallArgKind.OutStruct, -1, size);
    public static SyscallArg InOutStruct(string name, int size) => new(name, SyscallArgKind.InOutStruct, -1, size);
    public static SyscallArg OutLengthIn(string name, int lengthPointerArg) => new(name, SyscallArgKind.OutBufferLengthIn, lengthPointerArg);
    public static SyscallArg IoVecIn(string name, int countArg) => new(name, SyscallArgKind.IoVecIn, countArg, 16);
    public static SyscallArg IoVecOut(string name, int countArg) => new(name, SyscallArgKind.IoVecOut, countArg, 16);
    public static SyscallArg FdSet(string name, int nfdsArg) => new(name, SyscallArgKind.FdSet, nfdsArg);
    public static SyscallArg IoctlArg(string name, int requestArg) => new(name, SyscallArgKind.IoctlArg, requestArg);

    /// <summary>
    /// Bytes the kernel may write directly at this argument's address, given all six argument values;
    /// null when it writes nothing there or the size lies in guest memory (sockaddr lengths, iovecs, msghdr).
    /// ioctl's argument counts as a scalar for requests not known to write (<see cref="IoctlTable"/>).
    /// </summary>
    public ulong? WrittenCapacity(ReadOnlySpan<ulong> args) => Kind switch
    {
        SyscallArgKind.OutBuffer or SyscallArgKind.InOutBuffer or SyscallArgKind.OutBufferReturned
            => args[SizeArg] * (ulong)Size,
        SyscallArgKind.OutStruct or SyscallArgKind.InOutStruct => (ulong)Size,
        // The kernel handles fd_sets in whole longs: DIV_ROUND_UP(nfds, 64) of them.
        SyscallArgKind.FdSet => ((ulong)(uint)args[SizeArg] + 63) / 64 * 8,
        SyscallArgKind.IoctlArg => IoctlTable.Find(args[SizeArg]) is { WriteSize: > 0 and var size } ? (ulong)size : null,
        _ => null,
    };
}
