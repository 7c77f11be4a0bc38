using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Os;
using Memcheck.Engine.Tools.Memcheck.Errors;
using Memcheck.Engine.Tools.Memcheck.Instrumentation;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tools.Memcheck.Definedness;

/// <summary>
/// Memcheck's syscall wrappers, driven by the layout table (<see cref="SyscallTable"/>): before the call, undefined
/// argument registers and undefined or unaddressable bytes the kernel will read are reported (registers first, as
/// Valgrind's PRE_REG_READ precedes its PRE_MEM_READs), with the origin of the register or of the first undefined byte;
/// after a successful call what the kernel wrote is defined, and the result register always is.
/// </summary>
internal sealed unsafe class SyscallChecks(ShadowMemory shadow, PageMap pages, MemcheckTool tool)
{
    /// <summary>GuestState offsets of rdi, rsi, rdx, r10, r8, r9: the syscall argument registers in order.</summary>
    private static readonly int[] ArgumentOffsets =
        [GuestState.OffRdi, GuestState.OffRsi, GuestState.OffRdx, GuestState.OffR8 + 16, GuestState.OffR8, GuestState.OffR8 + 8];
    private static readonly int[] ArgumentRegisters = [7, 6, 2, 10, 8, 9];

    /// <summary>rt_sigreturn restores every register from the frame, rax included: its "result" is the restored rax.</summary>
    private static readonly int SigreturnNumber = SyscallTable.Named("rt_sigreturn").Number;

    /// <summary>UIO_MAXIOV: longer iovec arrays fail with EINVAL before the kernel reads any.</summary>
    private const ulong MaxIoVecs = 1024;

    public void Before(GuestState* state, SyscallEntry? entry)
    {
        if (entry?.Arguments is not { } layout) return;
        Span<ulong> args = stackalloc ulong[6];
        Arguments(state, args);
        for (int i = 0; i < layout.Count; i++)
            // An fd is an int: Valgrind checks the 4 bytes its prototype declares.
            if (ShadowRegisters.VBits(state, ArgumentOffsets[i], layout[i].Kind == SyscallArgKind.Fd ? 4 : 8) != 0)
                tool.SyscallParam(state, MemcheckErrorKind.UninitialisedSyscallParam, $"{entry.Name}({layout[i].Name})", null,
                    ShadowRegisters.Origin(state, ArgumentOffsets[i]));
        for (int i = 0; i < layout.Count; i++)
            CheckMemory(state, entry.Name, layout[i], args[i], args);
    }

    public void After(GuestState* state, SyscallEntry? entry, long result)
    {
        if (entry?.Number == SigreturnNumber) return;
        ShadowRegisters.SetVBits(state, GuestState.OffRax, 8, 0);
        if (result < 0 && result > -4096 || entry?.Arguments is not { } layout) return;
        Span<ulong> args = stackalloc ulong[6];
        Arguments(state, args);
        for (int i = 0; i < layout.Count; i++)
            if (args[i] != 0) DefineOutput(layout[i], args[i], args, (ulong)result);
    }

    private static void Arguments(GuestState* state, Span<ulong> args)
    {
        for (int i = 0; i < 6; i++) args[i] = state->Gpr[ArgumentRegisters[i]];
    }

    private void CheckMemory(GuestState* state, string syscall, SyscallArg arg, ulong address, ReadOnlySpan<ulong> args)
    {
        string param = $"{syscall}({arg.Name})";
        if (SocketAddresses.Contains((syscall, arg.Name)))
        {
            if (address != 0) CheckSocketAddress(state, param, address, args[arg.SizeArg]);
            return;
        }
        if (syscall is "poll" or "ppoll" && arg.Name == "ufds")
        {
            CheckPollFds(state, param, address, args[arg.SizeArg]);
            return;
        }
        if ((syscall, arg.Name) == ("pselect6", "sig"))
        {
            if (address != 0) CheckSignalMaskPack(state, param, address);
            return;
        }
        switch (arg.Kind)
        {
            case SyscallArgKind.InBuffer or SyscallArgKind.InOutBuffer:
                CheckRead(state, param, address, args[arg.SizeArg] * (ulong)arg.Size);
                break;
            case SyscallArgKind.InStruct or SyscallArgKind.InOutStruct:
                if (address != 0) CheckRead(state, param, address, (ulong)arg.Size);
                break;
            case SyscallArgKind.CString:
                if (address != 0) CheckRead(state, param, address, StringLength(address));
                break;
            case SyscallArgKind.IoVecIn:
                CheckIoVecs(state, syscall, arg, address, args[arg.SizeArg]);
                break;
            case SyscallArgKind.StringArray:
                if (address != 0) CheckStringArray(state, param, $"{syscall}({arg.Name}[i])", address);
                break;
            case SyscallArgKind.MsgHdrIn or SyscallArgKind.MsgHdrOut:
                CheckMsgHdr(state, syscall, address, filled: arg.Kind == SyscallArgKind.MsgHdrOut);
                break;
            case SyscallArgKind.FdSet:
                if (address != 0) CheckRead(state, param, address, FdSetBytes(args[arg.SizeArg]));
                break;
            case SyscallArgKind.IoctlArg:
                CheckIoctl(state, address, args[arg.SizeArg]);
                return;
        }
        if (arg.Kind is SyscallArgKind.OutBuffer or SyscallArgKind.OutBufferReturned or SyscallArgKind.OutStruct
            && address != 0 && arg.WrittenCapacity(args) is ulong capacity)
            CheckWritable(state, param, address, capacity);
    }

    private void CheckWritable(GuestState* state, string param, ulong address, ulong length)
    {
        if (shadow.CheckAddressable(address, length) is ulong hole)
            tool.SyscallParam(state, MemcheckErrorKind.UnaddressableSyscallParam, param, hole);
    }

    /// <summary>execve's argv and envp: each pointer slot ("execve(argv)") then its string ("execve(argv[i])"), to the NULL.</summary>
    private void CheckStringArray(GuestState* state, string param, string elementParam, ulong array)
    {
        for (ulong slot = array; ; slot += 8)
        {
            CheckRead(state, param, slot, 8);
            if (!pages.CanRead(slot, 8)) return;
            ulong text = *(ulong*)slot;
            if (text == 0) return;
            CheckRead(state, elementParam, text, StringLength(text));
        }
    }

    /// <summary>
    /// sendmsg and recvmsg: the msghdr's fields as "sendmsg(msg)" (not the padding or msg_flags), then the name, the
    /// iovec array and each buffer, and the control data, as "sendmsg(msg.msg_name)" ... Buffers the kernel fills
    /// (recvmsg) need only be addressable; the iovec array it always reads.
    /// </summary>
    private void CheckMsgHdr(GuestState* state, string syscall, ulong msg, bool filled)
    {
        string param = $"{syscall}(msg)";
        foreach (var (offset, size) in MsgHdrFields) CheckRead(state, param, msg + offset, size);
        if (!pages.CanRead(msg, (int)MsgHdrSize)) return;
        var header = (ulong*)msg;
        ulong name = header[0], nameLength = (uint)header[1], iov = header[2], iovCount = header[3], control = header[4], controlLength = header[5];
        if (name != 0) CheckBuffer(state, $"{syscall}(msg.msg_name)", name, nameLength, filled);
        if (iov != 0 && iovCount <= MaxIoVecs)
        {
            CheckRead(state, $"{syscall}(msg.msg_iov)", iov, iovCount * 16);
            for (ulong k = 0; k < iovCount && pages.CanRead(iov + 16 * k, 16); k++)
                CheckBuffer(state, $"{syscall}(msg.msg_iov[{k}])", ((ulong*)iov)[2 * k], ((ulong*)iov)[2 * k + 1], filled);
        }
        if (control != 0) CheckBuffer(state, $"{syscall}(msg.msg_control)", control, controlLength, filled);
    }

    private void CheckBuffer(GuestState* state, string param, ulong address, ulong length, bool filled)
    {
        if (filled) CheckWritable(state, param, address, length);
        else CheckRead(state, param, address, length);
    }

    private const ulong MsgHdrSize = 56;

    /// <summary>
    /// The msghdr fields the kernel reads, as Valgrind checks them (offset, size): msg_name with msg_namelen, then
    /// msg_iov to msg_controllen, each run reported once however many of its fields are undefined.
    /// </summary>
    private static readonly (ulong Offset, ulong Size)[] MsgHdrFields = [(0, 12), (16, 32)];

    /// <summary>Valgrind checks nfds/8 bytes of an fd_set, rounding down, where the kernel uses whole longs.</summary>
    private static ulong FdSetBytes(ulong nfds) => (uint)nfds / 8;

    /// <summary>pselect6's sixth argument, a {sigset_t *ss; size_t ss_len} pair: the pair, then the ss_len bytes at ss.</summary>
    private void CheckSignalMaskPack(GuestState* state, string param, ulong pack)
    {
        CheckRead(state, param, pack, 16);
        if (!pages.CanRead(pack, 16)) return;
        ulong mask = *(ulong*)pack, length = *(ulong*)(pack + 8);
        if (mask != 0) CheckRead(state, $"{param[..^1]}->ss)", mask, length);
    }

    /// <summary>What the request reads and writes at the argument, named as Valgrind names the request.</summary>
    private void CheckIoctl(GuestState* state, ulong address, ulong request)
    {
        if (IoctlTable.Find(request) is not { } layout) return;
        string param = $"ioctl({layout.Name})";
        if (layout.ReadSize > 0) CheckRead(state, param, address, (ulong)layout.ReadSize);
        if (layout.WriteSize > 0) CheckWritable(state, param, address, (ulong)layout.WriteSize);
    }

    /// <summary>
    /// A sockaddr the kernel reads: Valgrind checks the family, then only the fields of that family (a unix path as a
    /// string), so the unused tail of a sockaddr_un or the padding of a sockaddr_in is no error.
    /// </summary>
    private void CheckSocketAddress(GuestState* state, string param, ulong address, ulong length)
    {
        string name = param[..^1];
        CheckRead(state, $"{name}.sa_family)", address, Math.Min(length, 2));
        if (length < 2 || !pages.CanRead(address, 2)) return;
        ushort family = *(ushort*)address;
        var fields = family switch
        {
            AfUnix => [],
            AfInet => [("sin_port", 2UL, 2UL), ("sin_addr", 4UL, 4UL)],
            AfInet6 => [("sin6_port", 2UL, 2UL), ("sin6_flowinfo", 4UL, 4UL), ("sin6_addr", 8UL, 16UL), ("sin6_scope_id", 24UL, 4UL)],
            _ => ((string, ulong, ulong)[])[("sa_data", 2UL, length - 2)],
        };
        if (family == AfUnix) CheckRead(state, $"{name}.sun_path)", address + 2, StringLength(address + 2));
        foreach (var (field, offset, size) in fields) CheckRead(state, $"{name}.{field})", address + offset, size);
    }

    private const ushort AfUnix = 1, AfInet = 2, AfInet6 = 10;

    /// <summary>(syscall, argument) pairs that are a sockaddr the kernel reads.</summary>
    private static readonly HashSet<(string, string)> SocketAddresses = [("connect", "serv_addr"), ("bind", "my_addr"), ("sendto", "to")];

    /// <summary>poll reads each pollfd's fd and events and writes its revents: "poll(ufds.fd)", "poll(ufds.events)".</summary>
    private void CheckPollFds(GuestState* state, string param, ulong array, ulong count)
    {
        string name = param[..^1];
        for (ulong k = 0; k < count; k++)
        {
            CheckRead(state, $"{name}.fd)", array + 8 * k, 4);
            CheckRead(state, $"{name}.events)", array + 8 * k + 4, 2);
        }
    }

    /// <summary>The array itself ("writev(vector)"), then each buffer ("writev(vector[...])"), as Valgrind words them.</summary>
    private void CheckIoVecs(GuestState* state, string syscall, SyscallArg arg, ulong array, ulong count)
    {
        if (count > MaxIoVecs) return;
        CheckRead(state, $"{syscall}({arg.Name})", array, count * 16);
        for (ulong k = 0; k < count; k++)
        {
            if (!pages.CanRead(array + 16 * k, 16)) return;
            ulong* iov = (ulong*)(array + 16 * k);
            CheckRead(state, $"{syscall}({arg.Name}[...])", iov[0], iov[1]);
        }
    }

    private void CheckRead(GuestState* state, string param, ulong address, ulong length)
    {
        if (length == 0 || shadow.CheckDefined(address, length, out bool unaddressable) is not ulong bad) return;
        if (unaddressable)
            tool.SyscallParam(state, MemcheckErrorKind.UnaddressableSyscallParam, param, bad);
        else
            tool.SyscallParam(state, MemcheckErrorKind.UninitialisedSyscallParam, param, bad, shadow.Origins?.Load(bad, 1) ?? OriginTags.None);
    }

    /// <summary>The bytes of a C string with its NUL, or up to the first byte that cannot be read (which is then checked).</summary>
    private ulong StringLength(ulong address)
    {
        ulong a = address;
        while (pages.CanRead(a, 1) && shadow.Get(a) != VaBits.NoAccess && *(byte*)a != 0) a++;
        return a - address + 1;
    }

    private void DefineOutput(SyscallArg arg, ulong address, ReadOnlySpan<ulong> args, ulong result)
    {
        switch (arg.Kind)
        {
            case SyscallArgKind.OutBufferReturned:
                shadow.MakeDefined(address, result * (ulong)arg.Size);
                break;
            case SyscallArgKind.OutBufferLengthIn:
                ulong lengthAddress = args[arg.SizeArg];
                if (lengthAddress == 0 || !pages.CanRead(lengthAddress, 4)) break;
                shadow.MakeDefined(lengthAddress, 4);
                shadow.MakeDefined(address, *(uint*)lengthAddress);
                break;
            case SyscallArgKind.IoVecOut:
                DefineIoVecs(address, args[arg.SizeArg], result);
                break;
            case SyscallArgKind.MsgHdrOut:
                DefineMsgHdr(address, result);
                break;
            case SyscallArgKind.FdSet:
                // Valgrind defines nothing of the fd_sets select and pselect6 write back.
                break;
            default:
                if (arg.WrittenCapacity(args) is ulong size) shadow.MakeDefined(address, size);
                break;
        }
    }

    /// <summary>The kernel fills the iovecs in order with <paramref name="total"/> bytes.</summary>
    private void DefineIoVecs(ulong array, ulong count, ulong total)
    {
        for (ulong k = 0; k < Math.Min(count, MaxIoVecs) && total > 0; k++)
        {
            if (!pages.CanRead(array + 16 * k, 16)) return;
            ulong* iov = (ulong*)(array + 16 * k);
            ulong n = Math.Min(iov[1], total);
            shadow.MakeDefined(iov[0], n);
            total -= n;
        }
    }

    /// <summary>recvmsg: the msghdr's lengths and flags, the name and control data it reports, the iovecs' bytes.</summary>
    private void DefineMsgHdr(ulong address, ulong received)
    {
        if (!pages.CanRead(address, (int)MsgHdrSize)) return;
        ulong* msg = (ulong*)address;
        shadow.MakeDefined(address, MsgHdrSize);
        if (msg[0] != 0) shadow.MakeDefined(msg[0], (uint)msg[1]);
        if (msg[2] != 0) DefineIoVecs(msg[2], msg[3], received);
        if (msg[4] != 0) shadow.MakeDefined(msg[4], msg[5]);
    }
}
