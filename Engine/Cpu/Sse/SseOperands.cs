using Iced.Intel;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu.Sse;

/// <summary>
/// Operand access and small IR idioms shared by the SSE lifters. Every source operand is read as a
/// V128: an XMM register whole, a memory operand zero-extended from its size, so scalar and packed
/// forms share one code path.
/// </summary>
internal static class SseOperands
{
    public static readonly IrValue Zero = IrValue.Constant128(IrType.V128, 0, 0);

    public static bool IsXmm(LiftContext c, int op) =>
        c.Insn.GetOpKind(op) == OpKind.Register && c.Insn.GetOpRegister(op).IsXMM();

    public static bool IsGpr(LiftContext c, int op) =>
        c.Insn.GetOpKind(op) == OpKind.Register && c.Insn.GetOpRegister(op).IsGPR();

    public static int XmmIndex(LiftContext c, int op) => c.Insn.GetOpRegister(op) - Register.XMM0;

    /// <summary>Operand bytes: the register's size or the memory operand's.</summary>
    public static int OperandBytes(LiftContext c, int op) => c.Insn.GetOpKind(op) == OpKind.Memory
        ? c.Insn.MemorySize.GetSize()
        : c.Insn.GetOpRegister(op).GetSize();

    /// <summary>
    /// Legacy-encoded SSE instructions raise #GP on a misaligned 16-byte memory operand (the explicit exceptions,
    /// movu*/lddqu/pcmp?str?, pass aligned = false). VEX-encoded ones do only in the aligned moves, which check
    /// with <see cref="FaultUnlessAligned"/> themselves.
    /// </summary>
    public static IrValue Address(LiftContext c, int op, bool aligned)
    {
        var addr = c.EffectiveAddress(op);
        if (aligned && c.Insn.Encoding == EncodingKind.Legacy && c.Insn.MemorySize.GetSize() == 16) FaultUnlessAligned(c, addr, 16);
        return addr;
    }

    /// <summary>Leave with #GP at this instruction when <paramref name="addr"/> is not a multiple of <paramref name="bytes"/>.</summary>
    public static void FaultUnlessAligned(LiftContext c, IrValue addr, int bytes)
    {
        var low = c.Sb.Binop(IrOp.And, addr, IrValue.U64((ulong)bytes - 1));
        c.FaultExit(c.Sb.Binop(IrOp.CmpNE, IrType.I1, low, IrValue.U64(0)), JumpKind.GeneralProtection);
    }

    /// <summary>The source operand as a V128 (memory narrower than 16 bytes is zero-extended).</summary>
    public static IrValue Source(LiftContext c, int op, bool aligned = true)
    {
        if (IsXmm(c, op)) return c.GetXmm(XmmIndex(c, op));
        int bytes = c.Insn.MemorySize.GetSize();
        var addr = Address(c, op, aligned);
        if (bytes == 16) return c.Load(IrType.V128, addr);
        return FromInt(c.Sb, c.Load(IrTypes.IntOfBytes(bytes), addr));
    }

    public static IrValue Dest(LiftContext c) => c.GetXmm(XmmIndex(c, 0));

    /// <summary>
    /// The legacy shell of a lane-wise instruction: xmm1 = f(xmm1, xmm2/m128). A source naming the destination
    /// register is the destination's value itself, so idioms see one temp. MMX forms are not lifted.
    /// </summary>
    public static bool LaneWise(LiftContext c, LaneFunction f)
    {
        if (c.Insn.Encoding != EncodingKind.Legacy || !IsXmm(c, 0) || !(IsXmm(c, 1) || c.IsMemory(1))) return false;
        var d = Dest(c);
        var s = IsXmm(c, 1) && XmmIndex(c, 1) == XmmIndex(c, 0) ? d : Source(c, 1);
        PutDest(c, f(c, 0, d, s));
        return true;
    }

    /// <summary>
    /// Whether a VEX form has a first source in VEX.vvvv: then its operands are (dst, src1, src2[, imm]) where the
    /// legacy form has (dst/src1, src2[, imm]).
    /// </summary>
    public static bool HasSeparateFirstSource(LiftContext c)
    {
        if (c.Insn.Encoding != EncodingKind.VEX) return false;
        int operands = 0;
        for (int i = 0; i < c.Insn.OpCount; i++)
            if (!c.IsImmediate(i)) operands++;
        return operands >= 3;
    }

    /// <summary>The first source: the destination register in the legacy form, VEX.vvvv in a three-operand VEX form.</summary>
    public static IrValue FirstSource(LiftContext c) => HasSeparateFirstSource(c) ? c.GetXmm(XmmIndex(c, 1)) : Dest(c);

    /// <summary>Iced operand index of the second source (the r/m operand).</summary>
    public static int SecondSourceOperand(LiftContext c) => HasSeparateFirstSource(c) ? 2 : 1;

    public static void PutDest(LiftContext c, IrValue v128) => c.PutXmm(XmmIndex(c, 0), v128);

    /// <summary>An integer of up to 64 bits, zero-extended to V128.</summary>
    public static IrValue FromInt(Superblock sb, IrValue value)
    {
        if (value.Type != IrType.I64) value = sb.Unop(IrOp.ZeroExtend, IrType.I64, value);
        return FromHalves(sb, IrValue.U64(0), value);
    }

    public static IrValue FromHalves(Superblock sb, IrValue hi64, IrValue lo64) =>
        sb.Unop(IrOp.Bitcast, IrType.V128, sb.Binop(IrOp.Concat, IrType.I128, hi64, lo64));

    public static IrValue Low64(Superblock sb, IrValue v) => sb.Unop(IrOp.Truncate, IrType.I64, v);

    public static IrValue High64(Superblock sb, IrValue v) => sb.Unop(IrOp.HighHalf, IrType.I64, v);

    public static IrValue Lane(Superblock sb, IrValue v, int index, IrType lane) =>
        sb.Binop(IrOp.VExtractLane, lane, v, IrValue.U8((ulong)index), lane);

    public static IrValue WithLane(Superblock sb, IrValue v, int index, IrValue scalar) =>
        sb.Triop(IrOp.VInsertLane, IrType.V128, v, IrValue.U8((ulong)index), scalar, scalar.Type);

    public static IrValue Binary(Superblock sb, IrOp op, IrValue a, IrValue b, IrType lane) =>
        sb.Binop(op, IrType.V128, a, b, lane);

    /// <summary>A V128 whose lanes of <paramref name="lane"/> width are all-ones where bit i of mask is set.</summary>
    public static IrValue LaneMask(int mask, IrType lane)
    {
        int bits = lane.Bits(), lanes = 128 / bits;
        ulong lo = 0, hi = 0, ones = lane.Mask();
        for (int i = 0; i < lanes; i++)
        {
            if ((mask & (1 << i)) == 0) continue;
            int at = i * bits;
            if (at < 64) lo |= ones << at; else hi |= ones << (at - 64);
        }
        return IrValue.Constant128(IrType.V128, lo, hi);
    }

    /// <summary>(a AND NOT mask) OR (b AND mask).</summary>
    public static IrValue Select(Superblock sb, IrValue mask, IrValue a, IrValue b)
    {
        var keep = sb.Binop(IrOp.And, a, sb.Unop(IrOp.Not, IrType.V128, mask));
        return sb.Binop(IrOp.Or, keep, sb.Binop(IrOp.And, b, mask));
    }

    /// <summary>Write the low 32 or 64 bits of an integer result to a GPR or memory destination.</summary>
    public static void WriteInt(LiftContext c, int op, IrValue value)
    {
        var type = IrTypes.IntOfBytes(OperandBytes(c, op));
        if (value.Type.Bits() < type.Bits()) value = c.Sb.Unop(IrOp.ZeroExtend, type, value);
        else if (value.Type.Bits() > type.Bits()) value = c.Sb.Unop(IrOp.Truncate, type, value);
        c.Write(op, value);
    }

    /// <summary>I1 -> I64 flag bit at <paramref name="position"/>.</summary>
    public static IrValue FlagBit(Superblock sb, IrValue i1, int position) =>
        sb.Binop(IrOp.Shl, sb.Unop(IrOp.ZeroExtend, IrType.I64, i1), IrValue.U8((ulong)position));

    /// <summary>I1: all 128 bits of v are zero.</summary>
    public static IrValue IsAllZero(Superblock sb, IrValue v)
    {
        var folded = sb.Binop(IrOp.Or, Low64(sb, v), High64(sb, v));
        return sb.Binop(IrOp.CmpEQ, IrType.I1, folded, IrValue.U64(0));
    }
}
