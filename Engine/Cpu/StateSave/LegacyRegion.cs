using Memcheck.Engine.Cpu.X87;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu.StateSave;

/// <summary>
/// The 512-byte legacy region fxsave and xsave share: 0 FCW, 2 FSW, 4 abridged tags (one bit per physical register),
/// 6 FOP, 8 FIP, 16 FDP, 24 MXCSR, 28 MXCSR_MASK, 32 + 16i ST(i) as 80 bits, 160 + 16i XMMi; bytes 416-511 are not
/// written. The model raises no floating-point exceptions, so FOP, FIP and FDP read as zero, as when none is pending.
/// A restore reads everything first and changes registers only in the commit it returns, so a faulting load leaves
/// the registers as they were.
/// </summary>
internal static class LegacyRegion
{
    private const int FxStatus = 2, FxTags = 4, FxOpcode = 6, FxIp = 8, FxDp = 16, FxMxcsr = 24, FxMxcsrMask = 28;
    private const int FxRegisters = 32, FxXmm = 160, FxSlot = 16;
    /// <summary>MXCSR bits fxrstor/xrstor accept (DAZ included), as fxsave reports them.</summary>
    public const uint MxcsrMask = 0xFFFF;
    private const ulong InitialControlWord = 0x037F;

    public static void SaveX87(LiftContext ctx, StateImage image)
    {
        var sb = ctx.Sb;
        var stack = new X87Stack(ctx);
        image.Store(0, sb.Unop(IrOp.Truncate, IrType.I16, X87Ir.ControlWord(sb)));
        image.Store(FxStatus, X87Ir.StatusWord(sb, stack));
        image.Store(FxTags, AbridgedTags(sb));
        image.Store(FxTags + 1, IrValue.U8(0));
        image.Store(FxOpcode, IrValue.U16(0));
        image.Store(FxIp, IrValue.U64(0));
        image.Store(FxDp, IrValue.U64(0));
        for (int i = 0; i < 8; i++)
        {
            int slot = FxRegisters + FxSlot * i;
            var bits = X87Ir.Bits(sb, stack.GetRaw(i));
            image.Store(slot, sb.Call(X87Helpers.F64ToF80Significand, bits));
            image.Store(slot + 8, sb.Unop(IrOp.Truncate, IrType.I16, sb.Call(X87Helpers.F64ToF80SignExponent, bits)));
            image.Store(slot + 10, IrValue.U16(0));
            image.Store(slot + 12, IrValue.U32(0));
        }
    }

    public static void SaveMxcsr(LiftContext ctx, StateImage image)
    {
        image.Store(FxMxcsr, ctx.Sb.Get(GuestState.OffMxcsr, IrType.I32));
        image.Store(FxMxcsrMask, IrValue.U32(MxcsrMask));
    }

    public static void SaveXmm(LiftContext ctx, StateImage image)
    {
        for (int x = 0; x < 16; x++) image.Store(FxXmm + FxSlot * x, ctx.GetXmm(x));
    }

    private static IrValue AbridgedTags(Superblock sb)
    {
        IrValue tags = IrValue.U8(0);
        for (int r = 0; r < 8; r++)
        {
            var tag = sb.Get(GuestState.OffFpTag0 + r, IrType.I8);
            tags = sb.Binop(IrOp.Or, tags, sb.Binop(IrOp.Shl, IrType.I8, tag, IrValue.U8((ulong)r)));
        }
        return tags;
    }

    /// <summary>Reads the x87 state; the commit installs it (FCW, FSW with FTOP, tags, then ST(i) relative to the new FTOP).</summary>
    public static Action RestoreX87(LiftContext ctx, StateImage image)
    {
        var sb = ctx.Sb;
        var controlWord = image.Load(IrType.I16, 0);
        var statusWord = image.Load(IrType.I16, FxStatus);
        var tags = image.Load(IrType.I8, FxTags);
        var registers = new IrValue[8];
        for (int i = 0; i < 8; i++)
        {
            int slot = FxRegisters + FxSlot * i;
            var significand = image.Load(IrType.I64, slot);
            var signExponent = sb.Unop(IrOp.ZeroExtend, IrType.I64, image.Load(IrType.I16, slot + 8));
            registers[i] = X87Ir.FromBits(sb, sb.Call(X87Helpers.F80ToF64, significand, signExponent));
        }
        return () =>
        {
            var stack = new X87Stack(ctx);
            var control = sb.Unop(IrOp.ZeroExtend, IrType.I64, controlWord);
            var newTags = image.Pick(tags, IrValue.U8(0), () => AbridgedTags(sb));
            var newStatus = image.Pick(statusWord, IrValue.U16(0), () => X87Ir.StatusWord(sb, stack));
            sb.Put(GuestState.OffFpuControl, image.Pick(control, IrValue.U64(InitialControlWord), () => X87Ir.ControlWord(sb)));
            X87Ir.SetStatusWord(sb, stack, newStatus);
            for (int r = 0; r < 8; r++)
                sb.Put(GuestState.OffFpTag0 + r, sb.Binop(IrOp.And, sb.Binop(IrOp.Shr, IrType.I8, newTags, IrValue.U8((ulong)r)), IrValue.U8(1)));
            // Registers are stored in stack order, relative to the FTOP just restored.
            for (int i = 0; i < 8; i++)
                sb.PutI(GuestState.OffFpReg0, 8, stack.Top, i, image.Pick(registers[i], X87Ir.F64(0), () => stack.GetRaw(i)));
        };
    }

    /// <summary>MXCSR as the image holds it (I32); the caller checks the reserved bits before committing it.</summary>
    public static IrValue LoadMxcsr(StateImage image) => image.Load(IrType.I32, FxMxcsr);

    /// <summary>Reads XMM0-15; the commit installs them (zero when the component restores to its initial state).</summary>
    public static Action RestoreXmm(LiftContext ctx, StateImage image)
    {
        var values = new IrValue[16];
        for (int x = 0; x < 16; x++) values[x] = image.Load(IrType.V128, FxXmm + FxSlot * x);
        return () =>
        {
            for (int x = 0; x < 16; x++) ctx.PutXmm(x, image.Pick(values[x], Sse.SseOperands.Zero, () => ctx.GetXmm(x)));
        };
    }
}
