using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Os;

/// <summary>
/// The x86-64 rt_sigframe as the kernel builds it on the guest stack for a handler: the return address
/// (sa_restorer), a ucontext (flags, link, stack_t, sigcontext, signal mask) and a siginfo, with the extended
/// state above it in xsave layout (the fxsave region with the kernel's software-reserved bytes marking the xsave
/// extension, the header, the YMM upper halves, the closing magic). rt_sigreturn reads the same layout back; an
/// fxsave-only image there leaves the YMM upper halves zero, as the kernel does.
/// </summary>
internal static unsafe class SignalFrame
{
    private const ulong RedZone = 128, FrameSize = 8 + UcontextSize + 128;
    /// <summary>The xsave image of x87|SSE|AVX and the closing magic word.</summary>
    public const ulong FpStateSize = CpuidTable.XsaveAreaSize + 4;
    private const ulong UcontextSize = 304, UcStack = 16, UcMcontext = 40, UcSigmask = 296, Siginfo = 8 + UcontextSize;
    // sigcontext: r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, then rip, eflags, cs/gs/fs/ss, err, trapno, oldmask, cr2, fpstate.
    private static readonly int[] SigcontextGprs = [8, 9, 10, 11, 12, 13, 14, 15, 7, 6, 5, 3, 2, 0, 1, 4];
    private const int McRip = 128, McEflags = 136, McSegments = 144, McTrapno = 160, McCr2 = 176, McFpstate = 184;
    private const ulong UserSegments = 0x33 | 0x2bUL << 48; // cs and ss of a 64-bit user process
    private const ulong UcFpXstate = 1, UcSigcontextSs = 2, UcStrictRestoreSs = 4;
    private const int FxMxcsr = 24, FxMxcsrMask = 28, FxXmm = 160;
    // The kernel's _fpx_sw_bytes in the fxsave region's software-reserved bytes, and the xsave parts after it.
    private const int SwMagic1 = 464, SwExtendedSize = 468, SwFeatures = 472, SwXstateSize = 480;
    private const uint Magic1 = 0x46505853, Magic2 = 0x46505845;
    private const int XstateBv = 512, YmmUpper = 576;
    /// <summary>The components the frame holds: SSE and AVX (the x87 registers are not saved).</summary>
    private const ulong SavedFeatures = 0b110;
    private const ulong StatusFlags = 0x8D5, DirectionFlag = 0x400, AlignmentCheck = 1UL << 18, IdFlag = 1UL << 21;
    private const ulong AlwaysSet = 0x202; // IF and the reserved bit 1

    /// <summary>
    /// What a frame records beyond the registers: for a fault its si_code, si_addr and trap number; for a sent
    /// signal the whole siginfo it was sent with (<paramref name="Sent"/>, 128 bytes: si_pid, si_status, ...).
    /// </summary>
    public readonly record struct Info(int Signal, int Code, ulong Address, int TrapNo, byte[]? Sent = null);

    /// <summary>Builds the frame below <paramref name="sp"/> and points the registers at the handler; false when the stack is not writable.</summary>
    public static bool Push(GuestState* s, GuestMemory memory, ulong sp, in Info info, SignalAction action, SignalStack altStack, ulong oldMask)
    {
        ulong fpstate = (sp - FpStateSize) & ~63UL;
        ulong frame = ((fpstate - FrameSize) & ~15UL) - 8; // as at a function's entry: (frame + 8) is 16-aligned
        if (!memory.CanWrite(frame, fpstate + FpStateSize - frame)) return false;

        var bytes = new byte[fpstate + FpStateSize - frame];
        fixed (byte* p = bytes)
        {
            *(ulong*)p = action.Restorer;
            byte* uc = p + 8;
            *(ulong*)uc = UcFpXstate | UcSigcontextSs | UcStrictRestoreSs;
            *(SignalStack*)(uc + UcStack) = altStack;
            byte* mc = uc + UcMcontext;
            for (int i = 0; i < SigcontextGprs.Length; i++) ((ulong*)mc)[i] = s->Gpr[SigcontextGprs[i]];
            *(ulong*)(mc + McRip) = s->Rip;
            *(ulong*)(mc + McEflags) = Eflags(s);
            *(ulong*)(mc + McSegments) = UserSegments;
            *(ulong*)(mc + McTrapno) = (ulong)info.TrapNo;
            *(ulong*)(mc + McCr2) = info.Address;
            *(ulong*)(mc + McFpstate) = fpstate;
            *(ulong*)(uc + UcSigmask) = oldMask;

            int* si = (int*)(p + Siginfo);
            if (info.Sent is { } sent) sent.CopyTo(new Span<byte>(si, sent.Length));
            else
            {
                si[2] = info.Code;
                *(ulong*)(si + 4) = info.Address;
            }
            si[0] = info.Signal;

            byte* fx = p + (fpstate - frame);
            *(uint*)(fx + FxMxcsr) = s->Mxcsr;
            *(uint*)(fx + FxMxcsrMask) = 0xFFFF;
            Buffer.MemoryCopy(s->Xmm, fx + FxXmm, 256, 256);
            *(uint*)(fx + SwMagic1) = Magic1;
            *(uint*)(fx + SwExtendedSize) = (uint)FpStateSize;
            *(ulong*)(fx + SwFeatures) = CpuidTable.Xcr0;
            *(uint*)(fx + SwXstateSize) = CpuidTable.XsaveAreaSize;
            *(ulong*)(fx + XstateBv) = SavedFeatures;
            Buffer.MemoryCopy(s->YmmHi, fx + YmmUpper, 256, 256);
            *(uint*)(fx + CpuidTable.XsaveAreaSize) = Magic2;
        }
        if (!memory.TryWrite(frame, bytes)) return false;

        s->Gpr[7] = (ulong)info.Signal;      // rdi
        s->Gpr[6] = frame + Siginfo;        // rsi
        s->Gpr[2] = frame + 8;              // rdx: the ucontext
        s->Gpr[0] = 0;
        s->Gpr[4] = frame;
        s->Rip = action.Handler;
        s->DFlag = 1;
        return true;
    }

    /// <summary>rt_sigreturn: restores the registers the frame at RSP-8 holds and returns its signal mask; null for a frame outside guest memory.</summary>
    public static ulong? Pop(GuestState* s, GuestMemory memory)
    {
        ulong frame = s->Gpr[4] - 8;
        var bytes = new byte[8 + UcontextSize];
        if (!memory.CanRead(frame, (ulong)bytes.Length)) return null;
        fixed (byte* p = bytes)
        {
            Buffer.MemoryCopy((void*)frame, p, bytes.Length, bytes.Length);
            byte* mc = p + 8 + UcMcontext;
            for (int i = 0; i < SigcontextGprs.Length; i++) s->Gpr[SigcontextGprs[i]] = ((ulong*)mc)[i];
            s->Rip = *(ulong*)(mc + McRip);
            SetEflags(s, *(ulong*)(mc + McEflags));
            ulong fpstate = *(ulong*)(mc + McFpstate);
            if (fpstate != 0 && memory.CanRead(fpstate, 512))
            {
                s->Mxcsr = *(uint*)(fpstate + FxMxcsr);
                Buffer.MemoryCopy((void*)(fpstate + FxXmm), s->Xmm, 256, 256);
                new Span<byte>(s->YmmHi, 256).Clear();
                if (HoldsYmmUpper(memory, fpstate)) Buffer.MemoryCopy((void*)(fpstate + YmmUpper), s->YmmHi, 256, 256);
            }
            return *(ulong*)(p + 8 + UcSigmask);
        }
    }

    /// <summary>An xsave image the kernel would restore the AVX state from: both magic words, and AVX in XSTATE_BV.</summary>
    private static bool HoldsYmmUpper(GuestMemory memory, ulong fpstate)
    {
        if (*(uint*)(fpstate + SwMagic1) != Magic1) return false;
        uint extendedSize = *(uint*)(fpstate + SwExtendedSize);
        if (extendedSize < FpStateSize || !memory.CanRead(fpstate, extendedSize)) return false;
        return *(uint*)(fpstate + extendedSize - 4) == Magic2 && (*(ulong*)(fpstate + XstateBv) & 4) != 0;
    }

    /// <summary>Where a frame goes: the alternate stack when the handler asked for it and the thread is not on it already.</summary>
    public static ulong StackTop(GuestState* s, SignalAction action, SignalStack altStack)
    {
        ulong sp = s->Gpr[4];
        bool altUsable = (action.Flags & SignalDelivery.SaOnStack) != 0 && (altStack.Flags & SignalStack.Disable) == 0;
        bool onAlt = sp - altStack.Sp < altStack.Size;
        return altUsable && !onAlt ? altStack.Sp + altStack.Size : sp - RedZone;
    }

    private static ulong Eflags(GuestState* s)
    {
        ulong flags = FlagHelpers.Compute((CcOp)s->CcOp, s->CcDep1, s->CcDep2, s->CcNdep) & StatusFlags;
        if (s->DFlag < 0) flags |= DirectionFlag;
        if (s->AcFlag != 0) flags |= AlignmentCheck;
        if (s->IdFlag != 0) flags |= IdFlag;
        return flags | AlwaysSet;
    }

    private static void SetEflags(GuestState* s, ulong flags)
    {
        s->CcOp = (ulong)CcOp.Copy;
        s->CcDep1 = flags & StatusFlags;
        s->CcDep2 = 0;
        s->CcNdep = 0;
        s->DFlag = (flags & DirectionFlag) != 0 ? -1 : 1;
        s->AcFlag = (flags & AlignmentCheck) != 0 ? 1UL : 0;
        s->IdFlag = (flags & IdFlag) != 0 ? 1UL : 0;
    }
}
