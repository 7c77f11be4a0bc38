using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Cpu.Integer;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Integer.LiftHelpers;
using static Memcheck.Engine.Cpu.X86Flags;

namespace Memcheck.Engine.Cpu.Bmi;

/// <summary>
/// BMI1 (andn, bextr, blsi, blsmsk, blsr; tzcnt is with the bit counts) and BMI2 (bzhi, mulx, pdep, pext, rorx,
/// sarx, shlx, shrx): VEX-encoded GPR instructions. Flags the SDM leaves undefined (AF, PF, and SF for bextr) read
/// as zero; the BMI2 shifts, rorx, mulx, pdep and pext leave the flags alone.
/// </summary>
internal static unsafe class BmiLifters
{
    /// <summary>(source, mask, 0 deposit / 1 extract) -> pdep or pext of the operand width's bits.</summary>
    private static readonly IrHelper BitScatter = new("amd64g_pdep_pext", &BitScatterEntry, 3, isPure: true);

    public static void AddTo(GprOnlyTable t)
    {
        t.Add(Mnemonic.Andn, Andn);
        t.Add(Mnemonic.Bextr, Bextr);
        t.Add(Mnemonic.Blsi, ctx => LowestBit(ctx, LowestBitOp.Isolate));
        t.Add(Mnemonic.Blsmsk, ctx => LowestBit(ctx, LowestBitOp.Mask));
        t.Add(Mnemonic.Blsr, ctx => LowestBit(ctx, LowestBitOp.Reset));
        t.Add(Mnemonic.Bzhi, Bzhi);
        t.Add(Mnemonic.Mulx, Mulx);
        t.Add(Mnemonic.Pdep, ctx => Scatter(ctx, extract: false));
        t.Add(Mnemonic.Pext, ctx => Scatter(ctx, extract: true));
        t.Add(Mnemonic.Rorx, Rorx);
        t.Add(Mnemonic.Sarx, ctx => Shift(ctx, IrOp.Sar));
        t.Add(Mnemonic.Shlx, ctx => Shift(ctx, IrOp.Shl));
        t.Add(Mnemonic.Shrx, ctx => Shift(ctx, IrOp.Shr));
    }

    private static bool IsVex(LiftContext ctx) => ctx.Insn.Encoding == EncodingKind.VEX;

    /// <summary>andn: NOT src1 AND src2, flags as a logic operation (SF, ZF; CF = OF = 0).</summary>
    private static bool Andn(LiftContext ctx)
    {
        if (!IsVex(ctx)) return false;
        var type = ctx.OperandType(0);
        var result = ctx.Bin(IrOp.And, ctx.Sb.Unop(IrOp.Not, type, ctx.Read(1, type)), ctx.Read(2, type));
        ctx.Write(0, result);
        ctx.SetFlags(CcOps.Sized(CcOp.Logic8, type.Bytes()), result, IrValue.U64(0), IrValue.U64(0));
        return true;
    }

    /// <summary>bextr: the field of src1 starting at bit src2[7:0], src2[15:8] bits long; ZF from it, CF = OF = 0.</summary>
    private static bool Bextr(LiftContext ctx)
    {
        if (!IsVex(ctx)) return false;
        var type = ctx.OperandType(0);
        var source = ctx.Read(1, type);
        var control = ctx.Read(2, type);
        var start = ctx.Trunc(IrType.I8, control);
        var length = ctx.Trunc(IrType.I8, ctx.Shift(IrOp.Shr, control, IrValue.U8(8)));
        // A start of the width or more shifts everything out.
        var shifted = ctx.Ite(InRange(ctx, type, start), ctx.Shift(IrOp.Shr, source, Reduced(ctx, type, start)), IrValue.Constant(type, 0));
        var result = ctx.Bin(IrOp.And, shifted, LowOnes(ctx, type, length));
        ctx.Write(0, result);
        ctx.SetFlagsFromRflags(ctx.FlagBit(ctx.Cmp(IrOp.CmpEQ, result, IrValue.Constant(type, 0)), ZFShift));
        return true;
    }

    /// <summary>The low <paramref name="count"/> bits set (all of them for a count of the width or more), of <paramref name="type"/>.</summary>
    private static IrValue LowOnes(LiftContext ctx, IrType type, IrValue count)
    {
        var all = IrValue.Constant(type, type.Mask());
        var ones = ctx.Sb.Unop(IrOp.Not, type, ctx.Shift(IrOp.Shl, all, Reduced(ctx, type, count)));
        return ctx.Ite(InRange(ctx, type, count), ones, all);
    }

    /// <summary>An I8 count below the width (I1), and the count reduced below it, as IR shifts take it.</summary>
    private static IrValue InRange(LiftContext ctx, IrType type, IrValue count) => ctx.Cmp(IrOp.CmpLTU, count, IrValue.U8((ulong)type.Bits()));

    private static IrValue Reduced(LiftContext ctx, IrType type, IrValue count) => ctx.Bin(IrOp.And, count, IrValue.U8((ulong)type.Bits() - 1));

    private enum LowestBitOp { Isolate, Mask, Reset }

    /// <summary>
    /// blsi (x AND -x), blsmsk (x XOR (x-1)), blsr (x AND (x-1)). CF: blsi sets it for a nonzero source, the others for
    /// a zero one; ZF and SF from the result (blsmsk clears ZF); OF = 0.
    /// </summary>
    private static bool LowestBit(LiftContext ctx, LowestBitOp op)
    {
        if (!IsVex(ctx)) return false;
        var type = ctx.OperandType(0);
        var source = ctx.Read(1, type);
        var zero = IrValue.Constant(type, 0);
        var minusOne = ctx.Bin(IrOp.Sub, source, IrValue.Constant(type, 1));
        var result = op switch
        {
            LowestBitOp.Isolate => ctx.Bin(IrOp.And, source, ctx.Sb.Unop(IrOp.Neg, type, source)),
            LowestBitOp.Mask => ctx.Bin(IrOp.Xor, source, minusOne),
            _ => ctx.Bin(IrOp.And, source, minusOne),
        };
        ctx.Write(0, result);
        var sourceZero = ctx.Cmp(IrOp.CmpEQ, source, zero);
        var carry = op == LowestBitOp.Isolate ? ctx.Not1(sourceZero) : sourceZero;
        var flags = ctx.Bin(IrOp.Or, ctx.FlagBit(carry, CFShift), SignBit(ctx, result));
        if (op != LowestBitOp.Mask) flags = ctx.Bin(IrOp.Or, flags, ctx.FlagBit(ctx.Cmp(IrOp.CmpEQ, result, zero), ZFShift));
        ctx.SetFlagsFromRflags(flags);
        return true;
    }

    /// <summary>bzhi: src1 with bits from src2[7:0] up cleared; CF when that index is past the width; ZF, SF from the result.</summary>
    private static bool Bzhi(LiftContext ctx)
    {
        if (!IsVex(ctx)) return false;
        var type = ctx.OperandType(0);
        var source = ctx.Read(1, type);
        var index = ctx.Trunc(IrType.I8, ctx.Read(2, type));
        var result = ctx.Bin(IrOp.And, source, LowOnes(ctx, type, index));
        ctx.Write(0, result);
        var carry = ctx.Cmp(IrOp.CmpLTU, IrValue.U8((ulong)type.Bits() - 1), index);
        var zero = ctx.Cmp(IrOp.CmpEQ, result, IrValue.Constant(type, 0));
        ctx.SetFlagsFromRflags(ctx.Bin(IrOp.Or, ctx.Bin(IrOp.Or, ctx.FlagBit(carry, CFShift), ctx.FlagBit(zero, ZFShift)), SignBit(ctx, result)));
        return true;
    }

    /// <summary>SF in position from the result's top bit.</summary>
    private static IrValue SignBit(LiftContext ctx, IrValue result) =>
        ctx.FlagBit(ctx.Cmp(IrOp.CmpLTS, result, IrValue.Constant(result.Type, 0)), SFShift);

    /// <summary>mulx hi, lo, src: RDX (EDX) times src unsigned; the high half written last, so it wins when hi and lo are one register.</summary>
    private static bool Mulx(LiftContext ctx)
    {
        if (!IsVex(ctx)) return false;
        var type = ctx.OperandType(0);
        var rdx = ctx.Trunc(type, ctx.GetGpr(Iced.Intel.Register.RDX));
        var source = ctx.Read(2, type);
        var high = ctx.Bin(IrOp.MulHiU, rdx, source);
        var low = ctx.Bin(IrOp.Mul, rdx, source);
        ctx.Write(1, low);
        ctx.Write(0, high);
        return true;
    }

    private static bool Scatter(LiftContext ctx, bool extract)
    {
        if (!IsVex(ctx)) return false;
        var type = ctx.OperandType(0);
        var source = ctx.Zx(IrType.I64, ctx.Read(1, type));
        var mask = ctx.Zx(IrType.I64, ctx.Read(2, type));
        var result = ctx.Sb.Call(BitScatter, source, mask, IrValue.U64(extract ? 1UL : 0));
        ctx.Write(0, ctx.Trunc(type, result));
        return true;
    }

    /// <summary>rorx: rotate right by imm8 modulo the width, flags untouched.</summary>
    private static bool Rorx(LiftContext ctx)
    {
        if (!IsVex(ctx)) return false;
        var type = ctx.OperandType(0);
        int count = ctx.Insn.Immediate8 & (type.Bits() - 1);
        ctx.Write(0, ctx.Shift(IrOp.Ror, ctx.Read(1, type), IrValue.U8((ulong)count)));
        return true;
    }

    /// <summary>sarx/shlx/shrx: shift by src2 modulo the width, flags untouched.</summary>
    private static bool Shift(LiftContext ctx, IrOp op)
    {
        if (!IsVex(ctx)) return false;
        var type = ctx.OperandType(0);
        var count = ctx.Bin(IrOp.And, ctx.Trunc(IrType.I8, ctx.Read(2, type)), IrValue.U8((ulong)type.Bits() - 1));
        ctx.Write(0, ctx.Shift(op, ctx.Read(1, type), count));
        return true;
    }

    [UnmanagedCallersOnly]
    private static ulong BitScatterEntry(GuestState* state, ulong source, ulong mask, ulong extract, ulong unused)
    {
        ulong result = 0;
        int k = 0;
        for (ulong m = mask; m != 0; m &= m - 1, k++)
        {
            ulong bit = m & (0 - m);
            if (extract != 0) { if ((source & bit) != 0) result |= 1UL << k; }
            else if ((source & (1UL << k)) != 0) result |= bit;
        }
        return result;
    }
}
