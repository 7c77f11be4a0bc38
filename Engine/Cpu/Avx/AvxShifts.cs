using Iced.Intel;
using Memcheck.Engine.Cpu.Sse;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Avx.VexOperands;

namespace Memcheck.Engine.Cpu.Avx;

/// <summary>
/// VEX shifts: by an immediate (vpsllw ymm1, ymm2, imm8: the destination is VEX.vvvv), by the low quadword of an
/// XMM/m128 count applied to both halves, byte shifts of each half, and AVX2's per-lane variable shifts.
/// </summary>
internal static class AvxShifts
{
    private static readonly (Mnemonic Mnemonic, IrOp Op, IrType Lane)[] UniformShifts =
    [
        (Mnemonic.Vpsllw, IrOp.VShl, IrType.I16), (Mnemonic.Vpslld, IrOp.VShl, IrType.I32), (Mnemonic.Vpsllq, IrOp.VShl, IrType.I64),
        (Mnemonic.Vpsrlw, IrOp.VShr, IrType.I16), (Mnemonic.Vpsrld, IrOp.VShr, IrType.I32), (Mnemonic.Vpsrlq, IrOp.VShr, IrType.I64),
        (Mnemonic.Vpsraw, IrOp.VSar, IrType.I16), (Mnemonic.Vpsrad, IrOp.VSar, IrType.I32),
    ];

    private static readonly (Mnemonic Mnemonic, IrOp Op, IrType Lane)[] VariableShifts =
    [
        (Mnemonic.Vpsllvd, IrOp.VShlV, IrType.I32), (Mnemonic.Vpsllvq, IrOp.VShlV, IrType.I64),
        (Mnemonic.Vpsrlvd, IrOp.VShrV, IrType.I32), (Mnemonic.Vpsrlvq, IrOp.VShrV, IrType.I64),
        (Mnemonic.Vpsravd, IrOp.VSarV, IrType.I32),
    ];

    public static void Register(LifterTable t)
    {
        foreach (var (m, op, lane) in UniformShifts) t.Add(m, c => Shift(c, op, lane));
        foreach (var (m, op, lane) in VariableShifts)
            t.Add(m, c => VexLanes.Lift(c, (ctx, _, a, b) => ctx.Sb.Binop(op, IrType.V128, a, b, lane)));
        t.Add(Mnemonic.Vpslldq, c => ByteShift(c, IrOp.VShiftBytesLeft));
        t.Add(Mnemonic.Vpsrldq, c => ByteShift(c, IrOp.VShiftBytesRight));
    }

    private static bool Shift(LiftContext c, IrOp op, IrType lane)
    {
        if (!IsVex(c) || !IsVectorRegister(c, 0) || !IsVectorRegister(c, 1)) return false;
        var sb = c.Sb;
        int halves = Bytes(c, 0) / 16;
        IrValue count;
        if (c.IsImmediate(2)) count = IrValue.U8(c.Insn.Immediate8);
        else if (OperandCount(c) == 3 && Bytes(c, 2) <= 16) count = SseIntegerLifts.ShiftCount(sb, Low(c, 2));
        else return false;
        var value = Halves(c, 1, halves);
        var result = new IrValue[2];
        for (int h = 0; h < halves; h++) result[h] = sb.Binop(op, IrType.V128, value[h], count, lane);
        Put(c, 0, result[0], result[1]);
        return true;
    }

    /// <summary>vpslldq/vpsrldq: each 128-bit half shifted by whole bytes.</summary>
    private static bool ByteShift(LiftContext c, IrOp op)
    {
        if (!IsVex(c) || !IsVectorRegister(c, 0) || !IsVectorRegister(c, 1)) return false;
        int n = c.Insn.Immediate8, halves = Bytes(c, 0) / 16;
        var value = Halves(c, 1, halves);
        var result = new IrValue[2];
        for (int h = 0; h < halves; h++) result[h] = n > 15 ? SseOperands.Zero : c.Sb.Binop(op, IrType.V128, value[h], IrValue.U8((ulong)n));
        Put(c, 0, result[0], result[1]);
        return true;
    }
}
