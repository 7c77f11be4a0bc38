using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Avx.VexOperands;

namespace Memcheck.Engine.Cpu.Avx;

/// <summary>
/// The VEX shell of a lane-wise SSE instruction: dst = f(src1, src2) for each 128-bit lane, where the
/// three-operand forms read src1 from VEX.vvvv and the two-operand forms (vpshufd, vsqrtps, ...) have one source,
/// passed as both. A 256-bit form applies f to each half; a 128-bit form zeroes bits 255:128 of the destination.
/// Forms whose operands are not all one width (vpmovzxbw ymm, xmm; vcvtpd2ps xmm, ymm; shifts by an XMM count)
/// are not lane-wise: they are refused here and lifted by their own families.
/// </summary>
internal static class VexLanes
{
    public static bool Lift(LiftContext c, LaneFunction f)
    {
        if (!IsVex(c) || !IsVectorRegister(c, 0)) return false;
        int operands = OperandCount(c);
        if (operands is not (2 or 3)) return false;
        int width = Bytes(c, 0), halves = width / 16;
        int first = 1, second = operands - 1;
        if (!Fits(c, first, width) || !Fits(c, second, width)) return false;

        var a = Halves(c, first, halves);
        var b = second == first || SameRegister(c, first, second) ? a : Halves(c, second, halves);
        var result = new IrValue[2];
        for (int h = 0; h < halves; h++) result[h] = f(c, h, a[h], b[h]);
        Put(c, 0, result[0], result[1]);
        return true;
    }

    /// <summary>A source of the destination's width: a register of that size, or memory of it (of at most 16 bytes for scalars).</summary>
    private static bool Fits(LiftContext c, int op, int width) => IsVectorRegister(c, op)
        ? Bytes(c, op) == width
        : c.IsMemory(op) && (Bytes(c, op) == width || width == 16 && Bytes(c, op) < 16);

    private static bool SameRegister(LiftContext c, int a, int b) =>
        IsVectorRegister(c, a) && IsVectorRegister(c, b) && c.Insn.GetOpRegister(a) == c.Insn.GetOpRegister(b);
}
