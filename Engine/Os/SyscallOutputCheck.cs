namespace Memcheck.Engine.Os;

/// <summary>
/// Whether every byte the kernel may write for a passed-through syscall lies in guest memory. Guest pointers
/// are host pointers, so without this a guest bug would overwrite the engine. A refused call fails with
/// EFAULT, as the kernel fails it for unmapped memory. NULL pointers stay the kernel's business.
/// </summary>
internal sealed class SyscallOutputCheck(GuestMemory memory)
{
    /// <summary>UIO_MAXIOV: the kernel refuses longer iovec arrays with EINVAL before writing.</summary>
    private const ulong MaxIoVecs = 1024;

    public bool AllInGuest(IReadOnlyList<SyscallArg> layout, ReadOnlySpan<ulong> args)
    {
        for (int i = 0; i < layout.Count; i++)
        {
            var arg = layout[i];
            ulong address = args[i];
            if (address == 0) continue;
            bool inGuest = arg.Kind switch
            {
                SyscallArgKind.OutBufferLengthIn => LengthPrefixedBuffer(address, args[arg.SizeArg]),
                SyscallArgKind.IoVecOut => IoVecBuffers(address, args[arg.SizeArg]),
                SyscallArgKind.MsgHdrOut => MsgHdrBuffers(address),
                _ => arg.WrittenCapacity(args) is not { } size || memory.CanWrite(address, size),
            };
            if (!inGuest) return false;
        }
        return true;
    }

    /// <summary>A sockaddr buffer whose capacity is the socklen_t stored at lengthAddress.</summary>
    private bool LengthPrefixedBuffer(ulong buffer, ulong lengthAddress) =>
        memory.TryRead(lengthAddress, out uint capacity) && memory.CanWrite(buffer, capacity);

    private bool IoVecBuffers(ulong array, ulong count)
    {
        if (count > MaxIoVecs) return true;
        for (ulong i = 0; i < count; i++)
        {
            if (!memory.TryRead(array + 16 * i, out IoVec iov)) return false;
            if (iov.Length != 0 && !memory.CanWrite(iov.Base, iov.Length)) return false;
        }
        return true;
    }

    /// <summary>recvmsg writes the msghdr itself (lengths, flags), the name, the iovec buffers and the control buffer.</summary>
    private bool MsgHdrBuffers(ulong address)
    {
        if (!memory.CanWrite(address, MsgHdr.Size) || !memory.TryRead(address, out MsgHdr msg)) return false;
        return (msg.Name == 0 || memory.CanWrite(msg.Name, msg.NameLength))
            && (msg.IoVecs == 0 || IoVecBuffers(msg.IoVecs, msg.IoVecCount))
            && (msg.Control == 0 || memory.CanWrite(msg.Control, msg.ControlLength));
    }

    private readonly record struct IoVec(ulong Base, ulong Length);

    /// <summary>struct msghdr on x86-64 (56 bytes): name, namelen (padded), iov, iovlen, control, controllen, flags.</summary>
    private readonly record struct MsgHdr(ulong Name, ulong NameLengthWord, ulong IoVecs, ulong IoVecCount,
        ulong Control, ulong ControlLength, ulong FlagsWord)
    {
        public const ulong Size = 56;
        public uint NameLength => (uint)NameLengthWord;
    }
}
