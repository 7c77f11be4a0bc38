using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Integer.LiftHelpers;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>Jumps, calls, returns, loops: every instruction here ends the superblock.</summary>
internal static class ControlFlowLifters
{
    public static void AddTo(GprOnlyTable t)
    {
        t.Add(Mnemonic.Jmp, Jmp);
        foreach (var m in JccMnemonics) t.Add(m, Jcc);
        t.Add(Mnemonic.Jrcxz, ctx => CountBranch(ctx, Register.RCX));
        t.Add(Mnemonic.Jecxz, ctx => CountBranch(ctx, Register.ECX));
        t.Add(Mnemonic.Loop, ctx => Loop(ctx, Code.Loop_rel8_64_RCX, null));
        t.Add(Mnemonic.Loope, ctx => Loop(ctx, Code.Loope_rel8_64_RCX, X86Condition.E));
        t.Add(Mnemonic.Loopne, ctx => Loop(ctx, Code.Loopne_rel8_64_RCX, X86Condition.NE));
        t.Add(Mnemonic.Call, Call);
        t.Add(Mnemonic.Ret, Ret);
    }

    private static readonly Mnemonic[] JccMnemonics =
    [
        Mnemonic.Jo, Mnemonic.Jno, Mnemonic.Jb, Mnemonic.Jae, Mnemonic.Je, Mnemonic.Jne, Mnemonic.Jbe, Mnemonic.Ja,
        Mnemonic.Js, Mnemonic.Jns, Mnemonic.Jp, Mnemonic.Jnp, Mnemonic.Jl, Mnemonic.Jge, Mnemonic.Jle, Mnemonic.Jg,
    ];

    /// <summary>Near forms only: Iced also calls far jumps and calls (through m16:64) jmp and call.</summary>
    private static bool Is64BitTarget(LiftContext ctx) => ctx.Insn.Code is Code.Jmp_rel8_64 or Code.Jmp_rel32_64
        or Code.Jmp_rm64 or Code.Call_rel32_64 or Code.Call_rm64;

    private static bool Jmp(LiftContext ctx)
    {
        if (!Is64BitTarget(ctx)) return false;
        ctx.EndBlock(ctx.Read(0, IrType.I64), JumpKind.Boring);
        return true;
    }

    private static void Branch(LiftContext ctx, IrValue taken)
    {
        ctx.Sb.Exit(taken, ctx.Insn.NearBranch64, JumpKind.Boring);
        ctx.EndBlock(IrValue.U64(ctx.NextAddress), JumpKind.Boring);
    }

    private static bool Jcc(LiftContext ctx)
    {
        if (ctx.Insn.Op0Kind != OpKind.NearBranch64) return false;
        Branch(ctx, ctx.Condition(X86Conditions.FromIced(ctx.Insn.ConditionCode)));
        return true;
    }

    private static bool CountBranch(LiftContext ctx, Register counter)
    {
        var value = ctx.GetGpr(counter);
        Branch(ctx, ctx.Cmp(IrOp.CmpEQ, value, IrValue.Constant(value.Type, 0)));
        return true;
    }

    private static bool Loop(LiftContext ctx, Code rcxForm, X86Condition? also)
    {
        if (ctx.Insn.Code != rcxForm) return false; // ecx-counted forms (address-size prefix) are not supported
        var rcx = ctx.Bin(IrOp.Sub, ctx.GetGpr(Register.RCX), IrValue.U64(1));
        ctx.PutGpr(Register.RCX, rcx);
        var taken = ctx.Cmp(IrOp.CmpNE, rcx, IrValue.U64(0));
        if (also is { } cond) taken = ctx.Bin(IrOp.And, taken, ctx.Condition(cond));
        Branch(ctx, taken);
        return true;
    }

    private static bool Call(LiftContext ctx)
    {
        if (!Is64BitTarget(ctx)) return false;
        // The target is read before the push: call [rsp+8] uses the old stack pointer.
        var target = ctx.Read(0, IrType.I64);
        ctx.Push(IrValue.U64(ctx.NextAddress));
        ctx.EndBlock(target, JumpKind.Call);
        return true;
    }

    private static bool Ret(LiftContext ctx)
    {
        if (ctx.Insn.Code is not (Code.Retnq or Code.Retnq_imm16)) return false; // 16-bit operand size
        var rsp = ctx.Rsp();
        var target = ctx.Load(IrType.I64, rsp);
        ulong release = ctx.Insn.OpCount == 1 ? ctx.Insn.Immediate16 : 0UL;
        ctx.PutGpr(Register.RSP, ctx.Bin(IrOp.Add, rsp, IrValue.U64(8UL + release)));
        ctx.EndBlock(target, JumpKind.Ret);
        return true;
    }
}
