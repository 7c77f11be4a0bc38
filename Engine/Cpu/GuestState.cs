using System.Runtime.InteropServices;

namespace Memcheck.Engine.Cpu;

/// <summary>
/// The architectural state of one guest thread, in the layout the IR addresses by byte offset
/// (Get/Put) and generated code addresses through a fixed base register. A tool's shadow copy of
/// the whole state follows it at <see cref="ShadowOffset"/>, so shadow registers are reachable with
/// the same base register (as in VEX, where shadow state sits right after the guest state).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public unsafe struct GuestState
{
    public const int Size = 1024;
    public const int ShadowOffset = Size;
    /// <summary>Where a tool's origin tags for the state's registers start (memcheck --track-origins=yes).</summary>
    public const int OriginOffset = 2 * Size;
    /// <summary>Guest state, its shadow, and a second shadow for origin tags.</summary>
    public const int BlockSize = 3 * Size;

    // Integer registers in encoding order: RAX RCX RDX RBX RSP RBP RSI RDI R8..R15.
    public const int OffRax = 0, OffRcx = 8, OffRdx = 16, OffRbx = 24, OffRsp = 32, OffRbp = 40, OffRsi = 48, OffRdi = 56;
    public const int OffR8 = 64, OffR15 = 120;
    public const int OffRip = 128;

    // Lazy condition-code thunk (operation, two operands, auxiliary), as VEX keeps it.
    public const int OffCcOp = 136, OffCcDep1 = 144, OffCcDep2 = 152, OffCcNdep = 160;
    /// <summary>Direction flag as +1 or -1, so string ops add it scaled by the element size.</summary>
    public const int OffDFlag = 168;
    public const int OffIdFlag = 176, OffAcFlag = 184;
    public const int OffFsBase = 192, OffGsBase = 200;

    public const int OffXmm0 = 256; // 16 registers x 16 bytes
    public const int OffMxcsr = 512;

    // x87: registers held as F64 (as VEX does), a physical stack of 8 addressed through FTOP.
    public const int OffFtop = 528;
    public const int OffFpReg0 = 536;  // 8 x F64
    public const int OffFpTag0 = 600;  // 8 x byte
    public const int OffFpuControl = 608;  // control word (rounding, precision, masks)
    public const int OffFpuC3210 = 616;    // condition bits C3,C2,C1,C0 in status-word positions

    /// <summary>Scratch slots the lifter may use to pass vectors to helpers.</summary>
    public const int OffScratch0 = 640;   // 4 x 16 bytes

    /// <summary>How the running replacement asked to end instead of returning (Core.ReplacementEnding), and its exit status.</summary>
    public const int OffReplacementEnding = 704;
    public const int OffReplacementStatus = 712;

    // Fields the dispatcher and backend exchange with generated code; not guest-visible.
    public const int OffExitKind = 720;
    public const int OffExitAddr = 728;
    public const int OffInstrCount = 736;
    public const int OffFaultAddr = 744;
    /// <summary>A GCHandle (as nint) to the running tool, so its helpers, called with only this state, can find it.</summary>
    public const int OffToolHandle = 752;
    /// <summary>Where in generated code a host fault hit (written by the host fault handler, read by the cache's trampoline).</summary>
    public const int OffFaultHostRip = 760;

    /// <summary>Bits 255:128 of YMM0..15, 16 bytes each (bits 127:0 are the XMM registers), to the end of the state.</summary>
    public const int OffYmmHi0 = 768;

    [FieldOffset(OffRax)] public fixed ulong Gpr[16];
    [FieldOffset(OffRip)] public ulong Rip;
    [FieldOffset(OffCcOp)] public ulong CcOp;
    [FieldOffset(OffCcDep1)] public ulong CcDep1;
    [FieldOffset(OffCcDep2)] public ulong CcDep2;
    [FieldOffset(OffCcNdep)] public ulong CcNdep;
    [FieldOffset(OffDFlag)] public long DFlag;
    [FieldOffset(OffIdFlag)] public ulong IdFlag;
    [FieldOffset(OffAcFlag)] public ulong AcFlag;
    [FieldOffset(OffFsBase)] public ulong FsBase;
    [FieldOffset(OffGsBase)] public ulong GsBase;
    [FieldOffset(OffXmm0)] public fixed ulong Xmm[32];
    [FieldOffset(OffMxcsr)] public uint Mxcsr;
    [FieldOffset(OffFtop)] public uint Ftop;
    [FieldOffset(OffFpReg0)] public fixed double FpReg[8];
    [FieldOffset(OffFpTag0)] public fixed byte FpTag[8];
    [FieldOffset(OffFpuControl)] public ulong FpuControl;
    [FieldOffset(OffFpuC3210)] public ulong FpuC3210;
    [FieldOffset(OffExitKind)] public ulong ExitKind;
    [FieldOffset(OffExitAddr)] public ulong ExitAddr;
    [FieldOffset(OffInstrCount)] public ulong InstrCount;
    [FieldOffset(OffFaultAddr)] public ulong FaultAddr;
    [FieldOffset(OffToolHandle)] public nint ToolHandle;
    [FieldOffset(OffReplacementEnding)] public ulong ReplacementEnding;
    [FieldOffset(OffReplacementStatus)] public ulong ReplacementStatus;
    [FieldOffset(OffFaultHostRip)] public ulong FaultHostRip;
    [FieldOffset(OffYmmHi0)] public fixed ulong YmmHi[32];

    public static int GprOffset(int encodingIndex) => OffRax + 8 * encodingIndex;
    public static int XmmOffset(int index) => OffXmm0 + 16 * index;
    public static int YmmHiOffset(int index) => OffYmmHi0 + 16 * index;

    /// <summary>Power-on values a new thread starts from (as the kernel leaves them at execve).</summary>
    public void Reset()
    {
        fixed (GuestState* self = &this) new Span<byte>(self, Size).Clear();
        DFlag = 1;
        Mxcsr = 0x1F80;
        FpuControl = 0x037F;
    }
}
