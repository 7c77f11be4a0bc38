using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Integer.LiftHelpers;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>
/// Shifts and rotates by 1, an immediate or CL. The count is masked to 5 bits (6 for 64-bit
/// operands); a masked count of zero leaves the flags alone, which for a count in CL is decided
/// at run time by choosing between the old and new thunk.
/// </summary>
internal static class ShiftLifters
{
    public static void AddTo(GprOnlyTable t)
    {
        t.Add(Mnemonic.Shl, ctx => Shift(ctx, IrOp.Shl, CcOp.Shl8));
        t.Add(Mnemonic.Sal, ctx => Shift(ctx, IrOp.Shl, CcOp.Shl8));
        t.Add(Mnemonic.Shr, ctx => Shift(ctx, IrOp.Shr, CcOp.Shr8));
        t.Add(Mnemonic.Sar, ctx => Shift(ctx, IrOp.Sar, CcOp.Sar8));
        t.Add(Mnemonic.Rol, ctx => Rotate(ctx, IrOp.Rol, CcOp.Rol8));
        t.Add(Mnemonic.Ror, ctx => Rotate(ctx, IrOp.Ror, CcOp.Ror8));
        t.Add(Mnemonic.Rcl, ctx => RotateCarry(ctx, right: false));
        t.Add(Mnemonic.Rcr, ctx => RotateCarry(ctx, right: true));
        t.Add(Mnemonic.Shld, ctx => DoubleShift(ctx, left: true));
        t.Add(Mnemonic.Shrd, ctx => DoubleShift(ctx, left: false));
    }

    private static IrValue MaskedCount(LiftContext ctx, int operand, IrType type) =>
        ctx.Bin(IrOp.And, ctx.Read(operand, IrType.I8), IrValue.U8(type == IrType.I64 ? 63UL : 31UL));

    private static bool Shift(LiftContext ctx, IrOp op, CcOp family)
    {
        var type = ctx.OperandType(0);
        var value = ctx.Read(0, type);
        var count = MaskedCount(ctx, 1, type);
        // Narrow operands shift in 32 bits, where every masked count is in range.
        var wideType = type == IrType.I64 ? IrType.I64 : IrType.I32;
        var wide = op == IrOp.Sar ? ctx.Sx(wideType, value) : ctx.Zx(wideType, value);
        var countLess1 = ctx.Bin(IrOp.And, ctx.Bin(IrOp.Sub, count, IrValue.U8(1)), IrValue.U8(type == IrType.I64 ? 63UL : 31UL));
        var result = ctx.Trunc(type, ctx.Shift(op, wide, count));
        var before = ctx.Trunc(type, ctx.Shift(op, wide, countLess1));
        ctx.Write(0, result);
        SetFlagsUnlessZero(ctx, count, CcOps.Sized(family, type.Bytes()), result, before, IrValue.U64(0));
        return true;
    }

    private static bool Rotate(LiftContext ctx, IrOp op, CcOp family)
    {
        var type = ctx.OperandType(0);
        var value = ctx.Read(0, type);
        var count = MaskedCount(ctx, 1, type);
        var amount = type.Bits() < 32 ? ctx.Bin(IrOp.And, count, IrValue.U8((ulong)type.Bits() - 1)) : count;
        var oldFlags = ctx.GetOszapc();
        var result = ctx.Shift(op, value, amount);
        ctx.Write(0, result);
        SetFlagsUnlessZero(ctx, count, CcOps.Sized(family, type.Bytes()), result, IrValue.U64(0), oldFlags);
        return true;
    }

    private static bool RotateCarry(LiftContext ctx, bool right)
    {
        var type = ctx.OperandType(0);
        var value = ctx.Zx(IrType.I64, ctx.Read(0, type));
        var count = ctx.Zx(IrType.I64, MaskedCount(ctx, 1, type));
        var oldFlags = ctx.GetOszapc();
        var shape = IrValue.U64(RotateCarryHelpers.Shape(type.Bits(), right));
        var result = ctx.Sb.Call(RotateCarryHelpers.Result, shape, value, count, oldFlags);
        var flags = ctx.Sb.Call(RotateCarryHelpers.Flags, shape, value, count, oldFlags);
        ctx.Write(0, ctx.Trunc(type, result));
        ctx.SetFlagsFromRflags(flags);
        return true;
    }

    private static bool DoubleShift(LiftContext ctx, bool left)
    {
        var type = ctx.OperandType(0);
        var dst = ctx.Read(0, type);
        var src = ctx.Read(1, type);
        var count = MaskedCount(ctx, 2, type);
        var mask = IrValue.U8(type == IrType.I64 ? 63UL : 31UL);
        var result = Combine(ctx, left, dst, src, count);
        var before = Combine(ctx, left, dst, src, ctx.Bin(IrOp.And, ctx.Bin(IrOp.Sub, count, IrValue.U8(1)), mask));
        ctx.Write(0, result);
        SetFlagsUnlessZero(ctx, count, CcOps.Sized(left ? CcOp.Shl8 : CcOp.Shr8, type.Bytes()), result, before, IrValue.U64(0));
        return true;
    }

    /// <summary>dst shifted by <paramref name="count"/>, filled from src. Counts above 16 for 16-bit operands are undefined; they wrap here.</summary>
    private static IrValue Combine(LiftContext ctx, bool left, IrValue dst, IrValue src, IrValue count)
    {
        int bits = dst.Type.Bits();
        var amount = bits == 16 ? ctx.Bin(IrOp.And, count, IrValue.U8(15)) : count;
        var inverse = ctx.Bin(IrOp.And, ctx.Bin(IrOp.Sub, IrValue.U8((ulong)bits), amount), IrValue.U8((ulong)bits - 1));
        var combined = left
            ? ctx.Bin(IrOp.Or, ctx.Shift(IrOp.Shl, dst, amount), ctx.Shift(IrOp.Shr, src, inverse))
            : ctx.Bin(IrOp.Or, ctx.Shift(IrOp.Shr, dst, amount), ctx.Shift(IrOp.Shl, src, inverse));
        return ctx.Ite(ctx.Cmp(IrOp.CmpEQ, amount, IrValue.U8(0)), dst, combined);
    }

    /// <summary>Write the thunk unless the masked count is zero (x86 leaves the flags untouched then).</summary>
    private static void SetFlagsUnlessZero(LiftContext ctx, IrValue count, CcOp op, IrValue dep1, IrValue dep2, IrValue ndep)
    {
        if (count.IsConst)
        {
            if (count.Const != 0) ctx.SetFlags(op, dep1, dep2, ndep);
            return;
        }
        var old = ctx.Thunk();
        var zero = ctx.Cmp(IrOp.CmpEQ, count, IrValue.U8(0));
        ctx.SetThunk(
            ctx.Ite(zero, old.Op, IrValue.U64((ulong)op)),
            ctx.Ite(zero, old.Dep1, ctx.Zx(IrType.I64, dep1)),
            ctx.Ite(zero, old.Dep2, ctx.Zx(IrType.I64, dep2)),
            ctx.Ite(zero, old.Ndep, ctx.Zx(IrType.I64, ndep)));
    }
}
