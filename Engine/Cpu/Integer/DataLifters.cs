using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Integer.LiftHelpers;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>Moves, extensions, exchanges, stack operations and the flag-register moves.</summary>
internal static class DataLifters
{
    public static void AddTo(GprOnlyTable t)
    {
        t.Add(Mnemonic.Mov, Mov);
        t.Add(Mnemonic.Movzx, ctx => Extend(ctx, IrOp.ZeroExtend));
        t.Add(Mnemonic.Movsx, ctx => Extend(ctx, IrOp.SignExtend));
        t.Add(Mnemonic.Movsxd, ctx => Extend(ctx, IrOp.SignExtend));
        t.Add(Mnemonic.Lea, Lea);
        t.Add(Mnemonic.Xchg, Xchg);
        t.Add(Mnemonic.Cbw, ctx => WidenAccumulator(ctx, Register.AL, Register.AX));
        t.Add(Mnemonic.Cwde, ctx => WidenAccumulator(ctx, Register.AX, Register.EAX));
        t.Add(Mnemonic.Cdqe, ctx => WidenAccumulator(ctx, Register.EAX, Register.RAX));
        t.Add(Mnemonic.Cwd, ctx => SignIntoRdx(ctx, IrType.I16));
        t.Add(Mnemonic.Cdq, ctx => SignIntoRdx(ctx, IrType.I32));
        t.Add(Mnemonic.Cqo, ctx => SignIntoRdx(ctx, IrType.I64));
        t.Add(Mnemonic.Bswap, Bswap);
        t.Add(Mnemonic.Movbe, Movbe);
        foreach (var m in CmovMnemonics) t.Add(m, Cmov);
        foreach (var m in SetccMnemonics) t.Add(m, Setcc);
        t.Add(Mnemonic.Push, Push);
        t.Add(Mnemonic.Pop, Pop);
        t.Add(Mnemonic.Pushfq, Pushfq);
        t.Add(Mnemonic.Popfq, Popfq);
        t.Add(Mnemonic.Lahf, Lahf);
        t.Add(Mnemonic.Sahf, Sahf);
        t.Add(Mnemonic.Cld, ctx => SetDirection(ctx, 1));
        t.Add(Mnemonic.Std, ctx => SetDirection(ctx, ulong.MaxValue));
        t.Add(Mnemonic.Clc, ctx => CarryOp(ctx, c => IrValue.U64(0)));
        t.Add(Mnemonic.Stc, ctx => CarryOp(ctx, c => IrValue.U64(X86Flags.CF)));
        t.Add(Mnemonic.Cmc, ctx => CarryOp(ctx, c => ctx.Bin(IrOp.Xor, c, IrValue.U64(X86Flags.CF))));
        t.Add(Mnemonic.Leave, Leave);
        t.Add(Mnemonic.Enter, Enter);
    }

    private static readonly Mnemonic[] CmovMnemonics =
    [
        Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne,
        Mnemonic.Cmovbe, Mnemonic.Cmova, Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp,
        Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg,
    ];

    private static readonly Mnemonic[] SetccMnemonics =
    [
        Mnemonic.Seto, Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete, Mnemonic.Setne,
        Mnemonic.Setbe, Mnemonic.Seta, Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp,
        Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg,
    ];

    private static bool Mov(LiftContext ctx)
    {
        var type = ctx.OperandType(0);
        ctx.Write(0, ctx.Read(1, type));
        return true;
    }

    private static bool Extend(LiftContext ctx, IrOp op)
    {
        var to = ctx.OperandType(0);
        var from = ctx.OperandType(1);
        var v = ctx.Read(1, from);
        ctx.Write(0, from == to ? v : ctx.Sb.Unop(op, to, v));
        return true;
    }

    private static bool Lea(LiftContext ctx)
    {
        // lea computes the offset only: a segment override does not add its base.
        if (ctx.Insn.SegmentPrefix != Iced.Intel.Register.None) return false;
        ctx.Write(0, ctx.Trunc(ctx.OperandType(0), ctx.EffectiveAddress(1)));
        return true;
    }

    private static bool Xchg(LiftContext ctx)
    {
        var type = ctx.OperandType(0);
        var a = ctx.Read(0, type);
        var b = ctx.Read(1, type);
        ctx.Write(0, b);
        ctx.Write(1, a);
        return true;
    }

    private static bool WidenAccumulator(LiftContext ctx, Register from, Register to)
    {
        ctx.PutGpr(to, ctx.Sx(IrTypes.IntOfBytes(to.GetSize()), ctx.GetGpr(from)));
        return true;
    }

    private static bool SignIntoRdx(LiftContext ctx, IrType type)
    {
        var acc = ctx.GetGpr(Accumulator(type));
        ctx.PutGpr(Sized(Register.RDX, type), ctx.Shift(IrOp.Sar, acc, IrValue.U8((ulong)type.Bits() - 1)));
        return true;
    }

    private static bool Bswap(LiftContext ctx)
    {
        var type = ctx.OperandType(0);
        // bswap of a 16-bit register is undefined; the hardware clears it.
        ctx.Write(0, type == IrType.I16 ? IrValue.U16(0) : ctx.Sb.Unop(IrOp.ByteSwap, type, ctx.Read(0, type)));
        return true;
    }

    private static bool Movbe(LiftContext ctx)
    {
        var type = ctx.OperandType(0);
        ctx.Write(0, ctx.Sb.Unop(IrOp.ByteSwap, type, ctx.Read(1, type)));
        return true;
    }

    private static bool Cmov(LiftContext ctx)
    {
        var type = ctx.OperandType(0);
        var cond = ctx.Condition(X86Conditions.FromIced(ctx.Insn.ConditionCode));
        var src = ctx.Read(1, type);
        // The destination is written either way, so a 32-bit one is zero-extended even when false.
        ctx.Write(0, ctx.Ite(cond, src, ctx.Read(0, type)));
        return true;
    }

    private static bool Setcc(LiftContext ctx)
    {
        var cond = ctx.Condition(X86Conditions.FromIced(ctx.Insn.ConditionCode));
        ctx.Write(0, ctx.Zx(IrType.I8, cond));
        return true;
    }

    private static bool Push(LiftContext ctx)
    {
        var type = IrTypes.IntOfBytes(-ctx.Insn.StackPointerIncrement);
        ctx.Push(ctx.Read(0, type));
        return true;
    }

    private static bool Pop(LiftContext ctx)
    {
        var type = IrTypes.IntOfBytes(ctx.Insn.StackPointerIncrement);
        // The stack pointer is incremented before a memory destination's address is computed.
        ctx.Write(0, ctx.Pop(type));
        return true;
    }

    private static bool Pushfq(LiftContext ctx)
    {
        ctx.Push(ctx.GetRflags());
        return true;
    }

    private static bool Popfq(LiftContext ctx)
    {
        var flags = ctx.Pop(IrType.I64);
        ctx.SetFlagsFromRflags(flags);
        var df = ctx.Cmp(IrOp.CmpNE, ctx.Bin(IrOp.And, flags, IrValue.U64(X86Flags.DF)), IrValue.U64(0));
        ctx.Sb.Put(GuestState.OffDFlag, ctx.Ite(df, IrValue.U64(ulong.MaxValue), IrValue.U64(1)));
        ctx.Sb.Put(GuestState.OffAcFlag, ctx.Bin(IrOp.And, ctx.Shift(IrOp.Shr, flags, IrValue.U8(18)), IrValue.U64(1)));
        ctx.Sb.Put(GuestState.OffIdFlag, ctx.Bin(IrOp.And, ctx.Shift(IrOp.Shr, flags, IrValue.U8(21)), IrValue.U64(1)));
        return true;
    }

    /// <summary>SF ZF AF PF CF: the flags lahf/sahf move through AH.</summary>
    private const ulong AhFlags = X86Flags.SF | X86Flags.ZF | X86Flags.AF | X86Flags.PF | X86Flags.CF;

    private static bool Lahf(LiftContext ctx)
    {
        var flags = ctx.Bin(IrOp.And, ctx.GetOszapc(), IrValue.U64(AhFlags));
        ctx.PutGpr(Register.AH, ctx.Trunc(IrType.I8, ctx.Bin(IrOp.Or, flags, IrValue.U64(X86Flags.Reserved1))));
        return true;
    }

    private static bool Sahf(LiftContext ctx)
    {
        var ah = ctx.Bin(IrOp.And, ctx.Zx(IrType.I64, ctx.GetGpr(Register.AH)), IrValue.U64(AhFlags));
        ctx.SetSomeFlags(AhFlags, ah);
        return true;
    }

    private static bool SetDirection(LiftContext ctx, ulong dflag)
    {
        ctx.Sb.Put(GuestState.OffDFlag, IrValue.U64(dflag));
        return true;
    }

    private static bool CarryOp(LiftContext ctx, Func<IrValue, IrValue> newCarryFromOld)
    {
        var flags = ctx.GetOszapc();
        var carry = newCarryFromOld(ctx.Bin(IrOp.And, flags, IrValue.U64(X86Flags.CF)));
        ctx.SetFlagsFromRflags(ctx.Bin(IrOp.Or, ctx.Bin(IrOp.And, flags, IrValue.U64(~X86Flags.CF)), carry));
        return true;
    }

    private static bool Leave(LiftContext ctx)
    {
        if (ctx.Insn.Code != Code.Leaveq) return false; // 16-bit operand size
        ctx.PutGpr(Register.RSP, ctx.GetGpr(Register.RBP));
        ctx.PutGpr(Register.RBP, ctx.Pop(IrType.I64));
        return true;
    }

    private static bool Enter(LiftContext ctx)
    {
        // Nesting levels above 0 copy frame pointers; compilers never emit them.
        if (ctx.Insn.Immediate8_2nd != 0 || ctx.Insn.Code != Code.Enterq_imm16_imm8) return false;
        ctx.Push(ctx.GetGpr(Register.RBP));
        var frame = ctx.Rsp();
        ctx.PutGpr(Register.RBP, frame);
        ctx.PutGpr(Register.RSP, ctx.Bin(IrOp.Sub, frame, IrValue.U64(ctx.Insn.Immediate16)));
        return true;
    }
}
