using Iced.Intel;
using Memcheck.Engine.Cpu.Sse;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Avx.VexOperands;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Avx;

/// <summary>Blends by a fourth register or an immediate, and the flag-setting tests vptest, vtestps, vtestpd.</summary>
internal static class AvxBlendsAndTests
{
    public static void Register(LifterTable t)
    {
        t.Add(Mnemonic.Vpblendvb, c => VariableBlend(c, IrType.I8));
        t.Add(Mnemonic.Vblendvps, c => VariableBlend(c, IrType.I32));
        t.Add(Mnemonic.Vblendvpd, c => VariableBlend(c, IrType.I64));
        // vpblendd: one immediate bit per dword, four per 128-bit half.
        t.Add(Mnemonic.Vpblendd, c => VexLanes.Lift(c, (ctx, half, a, b) =>
            Select(ctx.Sb, LaneMask((ctx.Insn.Immediate8 >> (4 * half)) & 15, IrType.I32), a, b)));
        t.Add(Mnemonic.Vptest, c => Test(c, IrType.None));
        t.Add(Mnemonic.Vtestps, c => Test(c, IrType.I32));
        t.Add(Mnemonic.Vtestpd, c => Test(c, IrType.I64));
    }

    /// <summary>vblendv*/vpblendvb dst, src1, src2, mask: lanes of src2 where the mask register's lane is negative, else of src1.</summary>
    private static bool VariableBlend(LiftContext c, IrType lane)
    {
        if (!IsVex(c) || !IsVectorRegister(c, 0) || OperandCount(c) != 4) return false;
        int halves = Bytes(c, 0) / 16;
        var first = Halves(c, 1, halves);
        var second = Halves(c, 2, halves);
        var mask = Halves(c, 3, halves);
        var result = new IrValue[2];
        for (int h = 0; h < halves; h++) result[h] = SseIntegerLifts.BlendBySign(c.Sb, first[h], second[h], mask[h], lane);
        Put(c, 0, result[0], result[1]);
        return true;
    }

    /// <summary>
    /// ZF = (dst AND src) has no set bit, CF = (NOT dst AND src) has none; AF, OF, PF, SF cleared. vptest looks at
    /// every bit (lane None), vtestps/vtestpd at the sign bits of their lanes. The 128-bit vptest is ptest's lift.
    /// </summary>
    private static bool Test(LiftContext c, IrType lane)
    {
        if (!IsVex(c) || !IsVectorRegister(c, 0) || lane == IrType.None && !IsYmm(c, 0)) return false;
        var sb = c.Sb;
        int halves = Bytes(c, 0) / 16;
        var d = Halves(c, 0, halves);
        var s = Halves(c, 1, halves);
        var signs = lane == IrType.None ? IrValue.Constant128(IrType.V128, ulong.MaxValue, ulong.MaxValue) : SignBits(lane);
        IrValue Combined(bool invert)
        {
            IrValue any = Zero;
            for (int h = 0; h < halves; h++)
            {
                var left = invert ? sb.Unop(IrOp.Not, IrType.V128, d[h]) : d[h];
                any = sb.Binop(IrOp.Or, any, sb.Binop(IrOp.And, sb.Binop(IrOp.And, left, s[h]), signs));
            }
            return IsAllZero(sb, any);
        }
        var zf = Combined(invert: false);
        var cf = Combined(invert: true);
        c.SetFlagsFromRflags(sb.Binop(IrOp.Or, FlagBit(sb, zf, 6), FlagBit(sb, cf, 0)));
        return true;
    }

    private static IrValue SignBits(IrType lane)
    {
        ulong signs = lane == IrType.I32 ? 0x8000_0000_8000_0000 : 0x8000_0000_0000_0000;
        return IrValue.Constant128(IrType.V128, signs, signs);
    }
}
