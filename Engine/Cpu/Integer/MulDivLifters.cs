using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Integer.LiftHelpers;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>mul/imul (one, two and three operands), div/idiv with #DE as a SigFpeIntDiv fault exit.</summary>
internal static class MulDivLifters
{
    public static void AddTo(GprOnlyTable t)
    {
        t.Add(Mnemonic.Mul, ctx => Widening(ctx, signed: false));
        t.Add(Mnemonic.Imul, Imul);
        t.Add(Mnemonic.Div, ctx => Divide(ctx, signed: false));
        t.Add(Mnemonic.Idiv, ctx => Divide(ctx, signed: true));
    }

    private static bool Imul(LiftContext ctx)
    {
        if (ctx.Insn.OpCount == 1) return Widening(ctx, signed: true);
        var type = ctx.OperandType(0);
        var (a, b) = ctx.Insn.OpCount == 2 ? (ctx.Read(0, type), ctx.Read(1, type)) : (ctx.Read(1, type), ctx.Read(2, type));
        ctx.Write(0, ctx.Bin(IrOp.Mul, a, b));
        ctx.SetFlags(CcOps.Sized(CcOp.SMul8, type.Bytes()), a, b, IrValue.U64(0));
        return true;
    }

    /// <summary>One-operand forms: rDX:rAX (AX for bytes) = rAX * operand.</summary>
    private static bool Widening(LiftContext ctx, bool signed)
    {
        var type = ctx.OperandType(0);
        var a = ctx.GetGpr(Accumulator(type));
        var b = ctx.Read(0, type);
        var low = ctx.Bin(IrOp.Mul, a, b);
        var high = ctx.Bin(signed ? IrOp.MulHiS : IrOp.MulHiU, a, b);
        if (type == IrType.I8)
            ctx.PutGpr(Register.AX, ctx.Sb.Binop(IrOp.Concat, IrType.I16, high, low));
        else
        {
            ctx.PutGpr(Accumulator(type), low);
            ctx.PutGpr(Sized(Register.RDX, type), high);
        }
        ctx.SetFlags(CcOps.Sized(signed ? CcOp.SMul8 : CcOp.UMul8, type.Bytes()), a, b, IrValue.U64(0));
        return true;
    }

    /// <summary>rDX:rAX (AH:AL for bytes) / operand: quotient to rAX, remainder to rDX. Flags are undefined and left as they were.</summary>
    private static bool Divide(LiftContext ctx, bool signed)
    {
        var type = ctx.OperandType(0);
        var divisor = ctx.Read(0, type);
        var (highReg, lowReg) = type == IrType.I8 ? (Register.AH, Register.AL) : (Sized(Register.RDX, type), Accumulator(type));
        var high = ctx.GetGpr(highReg);
        var low = ctx.GetGpr(lowReg);
        ctx.FaultExit(ctx.Sb.Triop(signed ? IrOp.DivFaultsS : IrOp.DivFaultsU, IrType.I1, high, low, divisor), JumpKind.SigFpeIntDiv);
        var quotient = ctx.Sb.Triop(signed ? IrOp.QuotS : IrOp.QuotU, type, high, low, divisor);
        var remainder = ctx.Sb.Triop(signed ? IrOp.RemS : IrOp.RemU, type, high, low, divisor);
        ctx.PutGpr(lowReg, quotient);
        ctx.PutGpr(highReg, remainder);
        return true;
    }
}
