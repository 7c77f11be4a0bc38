using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Integer.LiftHelpers;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>Two-operand arithmetic and logic, inc/dec/neg/not, and the compare-exchange family.
/// A lock prefix changes nothing: guest execution is serialised.</summary>
internal static class AluLifters
{
    public static void AddTo(GprOnlyTable t)
    {
        t.Add(Mnemonic.Add, ctx => Arith(ctx, IrOp.Add, CcOp.Add8, write: true));
        t.Add(Mnemonic.Sub, ctx => Arith(ctx, IrOp.Sub, CcOp.Sub8, write: true));
        t.Add(Mnemonic.Cmp, ctx => Arith(ctx, IrOp.Sub, CcOp.Sub8, write: false));
        t.Add(Mnemonic.And, ctx => Logic(ctx, IrOp.And, write: true));
        t.Add(Mnemonic.Or, ctx => Logic(ctx, IrOp.Or, write: true));
        t.Add(Mnemonic.Xor, ctx => Logic(ctx, IrOp.Xor, write: true));
        t.Add(Mnemonic.Test, ctx => Logic(ctx, IrOp.And, write: false));
        t.Add(Mnemonic.Adc, ctx => WithCarry(ctx, IrOp.Add, CcOp.Adc8));
        t.Add(Mnemonic.Sbb, ctx => WithCarry(ctx, IrOp.Sub, CcOp.Sbb8));
        t.Add(Mnemonic.Inc, ctx => IncDec(ctx, IrOp.Add, CcOp.Inc8));
        t.Add(Mnemonic.Dec, ctx => IncDec(ctx, IrOp.Sub, CcOp.Dec8));
        t.Add(Mnemonic.Neg, Neg);
        t.Add(Mnemonic.Not, Not);
        t.Add(Mnemonic.Xadd, Xadd);
        t.Add(Mnemonic.Cmpxchg, Cmpxchg);
        t.Add(Mnemonic.Cmpxchg8b, ctx => CmpxchgDouble(ctx, IrType.I32));
        t.Add(Mnemonic.Cmpxchg16b, ctx => CmpxchgDouble(ctx, IrType.I64));
    }

    private static bool Arith(LiftContext ctx, IrOp op, CcOp family, bool write)
    {
        var type = ctx.OperandType(0);
        var a = ctx.Read(0, type);
        var b = ctx.Read(1, type);
        var result = ctx.Bin(op, a, b);
        if (write) ctx.Write(0, result);
        ctx.SetFlags(CcOps.Sized(family, type.Bytes()), a, b, IrValue.U64(0));
        return true;
    }

    private static bool Logic(LiftContext ctx, IrOp op, bool write)
    {
        var type = ctx.OperandType(0);
        var a = ctx.Read(0, type);
        var b = ctx.Read(1, type);
        var result = ctx.Bin(op, a, b);
        if (write) ctx.Write(0, result);
        ctx.SetFlags(CcOps.Sized(CcOp.Logic8, type.Bytes()), result, IrValue.U64(0), IrValue.U64(0));
        return true;
    }

    private static bool WithCarry(LiftContext ctx, IrOp op, CcOp family)
    {
        var type = ctx.OperandType(0);
        var a = ctx.Read(0, type);
        var b = ctx.Read(1, type);
        var carry = ctx.Zx(type, ctx.Carry());
        var result = ctx.Bin(op, ctx.Bin(op, a, b), carry);
        ctx.Write(0, result);
        ctx.SetFlags(CcOps.Sized(family, type.Bytes()), a, ctx.Bin(IrOp.Xor, b, carry), carry);
        return true;
    }

    private static bool IncDec(LiftContext ctx, IrOp op, CcOp family)
    {
        var type = ctx.OperandType(0);
        var carry = ctx.Carry();
        var result = ctx.Bin(op, ctx.Read(0, type), IrValue.Constant(type, 1));
        ctx.Write(0, result);
        ctx.SetFlags(CcOps.Sized(family, type.Bytes()), result, IrValue.U64(0), carry);
        return true;
    }

    private static bool Neg(LiftContext ctx)
    {
        var type = ctx.OperandType(0);
        var a = ctx.Read(0, type);
        var zero = IrValue.Constant(type, 0);
        ctx.Write(0, ctx.Bin(IrOp.Sub, zero, a));
        ctx.SetFlags(CcOps.Sized(CcOp.Sub8, type.Bytes()), zero, a, IrValue.U64(0));
        return true;
    }

    private static bool Not(LiftContext ctx)
    {
        var type = ctx.OperandType(0);
        ctx.Write(0, ctx.Sb.Unop(IrOp.Not, type, ctx.Read(0, type)));
        return true;
    }

    private static bool Xadd(LiftContext ctx)
    {
        var type = ctx.OperandType(0);
        var dst = ctx.Read(0, type);
        var src = ctx.Read(1, type);
        var sum = ctx.Bin(IrOp.Add, dst, src);
        // Source first: with the same register twice the sum is what remains.
        ctx.Write(1, dst);
        ctx.Write(0, sum);
        ctx.SetFlags(CcOps.Sized(CcOp.Add8, type.Bytes()), dst, src, IrValue.U64(0));
        return true;
    }

    private static bool Cmpxchg(LiftContext ctx)
    {
        var type = ctx.OperandType(0);
        var accReg = Accumulator(type);
        var acc = ctx.GetGpr(accReg);
        var dst = ctx.Read(0, type);
        var src = ctx.Read(1, type);
        var equal = ctx.Cmp(IrOp.CmpEQ, acc, dst);
        ctx.SetFlags(CcOps.Sized(CcOp.Sub8, type.Bytes()), acc, dst, IrValue.U64(0));
        // The accumulator is only written on failure; a 64-bit view keeps its upper half otherwise.
        var rax = ctx.GetGpr(Register.RAX);
        if (type is IrType.I64 or IrType.I32) ctx.PutGpr(Register.RAX, ctx.Ite(equal, rax, ctx.Zx(IrType.I64, dst)));
        else ctx.PutGpr(accReg, ctx.Ite(equal, acc, dst));
        if (ctx.IsMemory(0)) ctx.Write(0, ctx.Ite(equal, src, dst));
        else
        {
            // A register destination is only written on success.
            var reg = ctx.Insn.Op0Register;
            var full = reg.GetFullRegister();
            if (type == IrType.I32)
                ctx.PutGpr(full, ctx.Ite(equal, ctx.Zx(IrType.I64, src), ctx.GetGpr(full)));
            else ctx.Write(0, ctx.Ite(equal, src, dst));
        }
        return true;
    }

    /// <summary>cmpxchg8b/16b: compare rDX:rAX with memory; equal: store rCX:rBX, else load into rDX:rAX. Only ZF changes.</summary>
    private static bool CmpxchgDouble(LiftContext ctx, IrType half)
    {
        var addr = ctx.EffectiveAddress(0);
        var highAddr = ctx.Bin(IrOp.Add, addr, IrValue.U64((ulong)half.Bytes()));
        var memLo = ctx.Load(half, addr);
        var memHi = ctx.Load(half, highAddr);
        var rax = ctx.GetGpr(Register.RAX);
        var rdx = ctx.GetGpr(Register.RDX);
        var eaxLo = ctx.Trunc(half, rax);
        var edxLo = ctx.Trunc(half, rdx);
        var equal = ctx.Bin(IrOp.And, ctx.Cmp(IrOp.CmpEQ, memLo, eaxLo), ctx.Cmp(IrOp.CmpEQ, memHi, edxLo));
        ctx.Store(addr, ctx.Ite(equal, ctx.Trunc(half, ctx.GetGpr(Register.RBX)), memLo));
        ctx.Store(highAddr, ctx.Ite(equal, ctx.Trunc(half, ctx.GetGpr(Register.RCX)), memHi));
        ctx.PutGpr(Register.RAX, ctx.Ite(equal, rax, ctx.Zx(IrType.I64, memLo)));
        ctx.PutGpr(Register.RDX, ctx.Ite(equal, rdx, ctx.Zx(IrType.I64, memHi)));
        ctx.SetSomeFlags(X86Flags.ZF, ctx.FlagBit(equal, X86Flags.ZFShift));
        return true;
    }
}
