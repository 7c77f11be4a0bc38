using System.Text.RegularExpressions;
using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Avx.VexOperands;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Avx;

/// <summary>
/// FMA3: vf[n]madd/vf[n]msub/vfmaddsub/vfmsubadd with operand orders 132, 213, 231 on ps/pd/ss/sd, fused (one
/// rounding). The order names which operands multiply and which is added: 132 is op1*op3+op2, 213 op2*op1+op3,
/// 231 op2*op3+op1; the NaN an instruction returns follows that order. The forms are read off Iced's mnemonic names.
/// </summary>
internal static partial class FmaLifts
{
    private enum Combination { MulAdd, MulSub, NegMulAdd, NegMulSub, MulAddSub, MulSubAdd }

    private readonly record struct Form(Combination Combination, int[] Order, IrType Lane, bool Scalar);

    [GeneratedRegex("^Vf(madd|msub|nmadd|nmsub|maddsub|msubadd)(132|213|231)(ps|pd|ss|sd)$")]
    private static partial Regex FormName();

    public static void Register(LifterTable t)
    {
        foreach (var m in Enum.GetValues<Mnemonic>())
            if (FormName().Match(m.ToString()) is { Success: true } match)
            {
                var form = new Form(
                    match.Groups[1].Value switch
                    {
                        "madd" => Combination.MulAdd,
                        "msub" => Combination.MulSub,
                        "nmadd" => Combination.NegMulAdd,
                        "nmsub" => Combination.NegMulSub,
                        "maddsub" => Combination.MulAddSub,
                        _ => Combination.MulSubAdd,
                    },
                    [.. match.Groups[2].Value.Select(d => d - '0')],
                    match.Groups[3].Value[1] == 's' ? IrType.F32 : IrType.F64,
                    match.Groups[3].Value[0] == 's');
                t.Add(m, c => Lift(c, form));
            }
    }

    private static bool Lift(LiftContext c, Form form)
    {
        if (!IsVex(c) || !IsVectorRegister(c, 0) || OperandCount(c) != 3) return false;
        int halves = Bytes(c, 0) / 16;
        // Operands 1..3 of the instruction are Iced operands 0..2.
        var operands = new[] { Halves(c, 0, halves), Halves(c, 1, halves), Halves(c, 2, halves) };
        var result = new IrValue[2];
        for (int h = 0; h < halves; h++)
        {
            var x = operands[form.Order[0] - 1][h];
            var y = operands[form.Order[1] - 1][h];
            var z = operands[form.Order[2] - 1][h];
            var value = Combine(c.Sb, form, x, y, z);
            // The scalar forms replace lane 0 of the destination and keep its other lanes.
            result[h] = form.Scalar ? WithLane(c.Sb, operands[0][h], 0, Lane(c.Sb, value, 0, form.Lane)) : value;
        }
        Put(c, 0, result[0], result[1]);
        return true;
    }

    /// <summary>The combination on every lane; fmaddsub subtracts in the even lanes and adds in the odd ones, fmsubadd the reverse.</summary>
    private static IrValue Combine(Superblock sb, Form form, IrValue x, IrValue y, IrValue z)
    {
        IrValue Fused(IrOp op) => sb.Triop(op, IrType.V128, x, y, z, form.Lane);
        var intLane = IrTypes.IntOfBytes(form.Lane.Bytes());
        var odd = LaneMask(form.Lane == IrType.F32 ? 0b1010 : 0b10, intLane);
        return form.Combination switch
        {
            Combination.MulAdd => Fused(IrOp.VFMulAdd),
            Combination.MulSub => Fused(IrOp.VFMulSub),
            Combination.NegMulAdd => Fused(IrOp.VFNegMulAdd),
            Combination.NegMulSub => Fused(IrOp.VFNegMulSub),
            Combination.MulAddSub => Select(sb, odd, Fused(IrOp.VFMulSub), Fused(IrOp.VFMulAdd)),
            _ => Select(sb, odd, Fused(IrOp.VFMulAdd), Fused(IrOp.VFMulSub)),
        };
    }
}
