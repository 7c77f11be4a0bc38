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
}

/// <summary>
/// One argument of a syscall layout. <see cref="SizeArg"/> is the index of the argument holding a count
/// (-1 when none); <see cref="Size"/> is a fixed struct size, or the size of one counted element.
/// The static members are the vocabulary of syscall-layouts.txt.
/// </summary>
public readonly record struct SyscallArg(SyscallArgKind Kind, int SizeArg = -1, int Size = 0)
{
    public static SyscallArg Scalar => new(SyscallArgKind.Scalar);
    public static SyscallArg Fd => new(SyscallArgKind.Fd);
    public static SyscallArg CString => new(SyscallArgKind.CString);
    public static SyscallArg StringArray => new(SyscallArgKind.StringArray);
    public static SyscallArg MsgHdrIn => new(SyscallArgKind.MsgHdrIn);
    public static SyscallArg MsgHdrOut => new(SyscallArgKind.MsgHdrOut);

    public static SyscallArg In(int sizeArg, int elementSize = 1) => new(SyscallArgKind.InBuffer, sizeArg, elementSize);
    public static SyscallArg Out(int sizeArg, int elementSize = 1) => new(SyscallArgKind.OutBuffer, sizeArg, elementSize);
    public static SyscallArg InOut(int sizeArg, int elementSize = 1) => new(SyscallArgKind.InOutBuffer, sizeArg, elementSize);
    public static SyscallArg OutReturned(int sizeArg, int elementSize = 1) => new(SyscallArgKind.OutBufferReturned, sizeArg, elementSize);
    public static SyscallArg InStruct(int size) => new(SyscallArgKind.InStruct, -1, size);
    public static SyscallArg OutStruct(int size) => new(SyscallArgKind.OutStruct, -1, size);
    public static SyscallArg InOutStruct(int size) => new(SyscallArgKind.InOutStruct, -1, size);
    public static SyscallArg OutLengthIn(int lengthPointerArg) => new(SyscallArgKind.OutBufferLengthIn, lengthPointerArg);
    public static SyscallArg IoVecIn(int countArg) => new(SyscallArgKind.IoVecIn, countArg, 16);
    public static SyscallArg IoVecOut(int countArg) => new(SyscallArgKind.IoVecOut, countArg, 16);
    public static SyscallArg FdSet(int nfdsArg) => new(SyscallArgKind.FdSet, nfdsArg);

    public bool IsPointer => Kind is not (SyscallArgKind.Scalar or SyscallArgKind.Fd);

    /// <summary>
    /// Bytes the kernel may write directly at this argument's address, given all six argument values;
    /// null when it writes nothing there or the size lies in guest memory (sockaddr lengths, iovecs, msghdr).
    /// </summary>
    public ulong? WrittenCapacity(ReadOnlySpan<ulong> args) => Kind switch
    {
        SyscallArgKind.OutBuffer or SyscallArgKind.InOutBuffer or SyscallArgKind.OutBufferReturned
            => args[SizeArg] * (ulong)Size,
        SyscallArgKind.OutStruct or SyscallArgKind.InOutStruct => (ulong)Size,
        // The kernel handles fd_sets in whole longs: DIV_ROUND_UP(nfds, 64) of them.
        SyscallArgKind.FdSet => ((ulong)(uint)args[SizeArg] + 63) / 64 * 8,
        _ => null,
    };
}
