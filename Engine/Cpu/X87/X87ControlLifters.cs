using Iced.Intel;
using X86Register = Iced.Intel.Register;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu.X87;

/// <summary>
/// x87 status, control and environment instructions (fxsave/fxrstor are in StateSave). The environment
/// images are built with IR loads and stores (not a dirty helper) so the usual address checks
/// and memcheck's definedness tracking apply to every byte they touch.
/// The model raises no floating-point exceptions, so the exception flags read as zero and the
/// instruction/data pointers as zero, which is what fxsave shows when no exception is pending.
/// </summary>
internal static class X87ControlLifters
{
    private const ulong DefaultControlWord = 0x037F;
    /// <summary>fnstenv leaves every exception masked after saving.</summary>
    private const ulong ExceptionMasks = 0x3F;
    private const int EnvironmentSize = 28;

    public static void Register(LifterTable t)
    {
        t.Add(Mnemonic.Fnstsw, StoreStatusWord);
        t.Add(Mnemonic.Fstsw, StoreStatusWord);
        t.Add(Mnemonic.Fnstcw, StoreControlWord);
        t.Add(Mnemonic.Fstcw, StoreControlWord);
        t.Add(Mnemonic.Fldcw, LoadControlWord);
        t.Add(Mnemonic.Fnclex, NoOperation);
        t.Add(Mnemonic.Fclex, NoOperation);
        t.Add(Mnemonic.Wait, NoOperation);
        t.Add(Mnemonic.Fnop, NoOperation);
        t.Add(Mnemonic.Fninit, Initialise);
        t.Add(Mnemonic.Finit, Initialise);
        t.Add(Mnemonic.Ffree, ctx => Free(ctx, pop: false));
        t.Add(Mnemonic.Ffreep, ctx => Free(ctx, pop: true));
        t.Add(Mnemonic.Fincstp, ctx => MoveTop(ctx, 1));
        t.Add(Mnemonic.Fdecstp, ctx => MoveTop(ctx, -1));
        t.Add(Mnemonic.Fnstenv, StoreEnvironment);
        t.Add(Mnemonic.Fstenv, StoreEnvironment);
        t.Add(Mnemonic.Fldenv, LoadEnvironment);
    }

    private static bool NoOperation(LiftContext ctx) => true;

    private static bool StoreStatusWord(LiftContext ctx)
    {
        var statusWord = X87Ir.StatusWord(ctx.Sb, new X87Stack(ctx));
        if (ctx.IsMemory(0)) ctx.Store(ctx.EffectiveAddress(0), statusWord);
        else ctx.PutGpr(X86Register.AX, statusWord);
        return true;
    }

    private static bool StoreControlWord(LiftContext ctx)
    {
        ctx.Store(ctx.EffectiveAddress(0), ctx.Sb.Unop(IrOp.Truncate, IrType.I16, X87Ir.ControlWord(ctx.Sb)));
        return true;
    }

    private static bool LoadControlWord(LiftContext ctx)
    {
        var sb = ctx.Sb;
        sb.Put(GuestState.OffFpuControl, sb.Unop(IrOp.ZeroExtend, IrType.I64, ctx.Load(IrType.I16, ctx.EffectiveAddress(0))));
        return true;
    }

    private static bool Initialise(LiftContext ctx)
    {
        var sb = ctx.Sb;
        sb.Put(GuestState.OffFpuControl, IrValue.U64(DefaultControlWord));
        sb.Put(GuestState.OffFtop, IrValue.U32(0));
        X87Ir.PutConditions(sb, IrValue.U64(0));
        for (int r = 0; r < 8; r++) sb.Put(GuestState.OffFpTag0 + r, IrValue.U8(0));
        return true;
    }

    private static bool Free(LiftContext ctx, bool pop)
    {
        var stack = new X87Stack(ctx);
        stack.SetEmpty(ctx.Insn.Op0Register - X86Register.ST0);
        if (pop) stack.MoveTop(1);
        return true;
    }

    private static bool MoveTop(LiftContext ctx, int delta)
    {
        new X87Stack(ctx).MoveTop(delta);
        return true;
    }

    /// <summary>Two status bytes padded to four with ones, as the 32-bit environment layout stores them.</summary>
    private static IrValue Padded(Superblock sb, IrValue word16) =>
        sb.Binop(IrOp.Or, sb.Unop(IrOp.ZeroExtend, IrType.I32, word16), IrValue.U32(0xFFFF_0000));

    /// <summary>fnstenv m28: control, status and tag words; instruction and operand pointers zero.</summary>
    private static bool StoreEnvironment(LiftContext ctx)
    {
        if (ctx.Insn.MemorySize.GetSize() != EnvironmentSize) return false;
        var sb = ctx.Sb;
        var ea = ctx.EffectiveAddress(0);
        var stack = new X87Stack(ctx);
        var controlWord = X87Ir.ControlWord(sb);
        ctx.Store(ea, Padded(sb, sb.Unop(IrOp.Truncate, IrType.I16, controlWord)));
        ctx.Store(X87Ir.Offset(sb, ea, 4), Padded(sb, X87Ir.StatusWord(sb, stack)));
        ctx.Store(X87Ir.Offset(sb, ea, 8), Padded(sb, FullTagWord(sb)));
        ctx.Store(X87Ir.Offset(sb, ea, 12), IrValue.U64(0));
        ctx.Store(X87Ir.Offset(sb, ea, 20), IrValue.U64(0));
        sb.Put(GuestState.OffFpuControl, sb.Binop(IrOp.Or, controlWord, IrValue.U64(ExceptionMasks)));
        return true;
    }

    /// <summary>Two bits per physical register: valid, zero, special or empty.</summary>
    private static IrValue FullTagWord(Superblock sb)
    {
        IrValue word = IrValue.U64(0);
        for (int r = 0; r < 8; r++)
        {
            var value = X87Ir.Bits(sb, sb.Get(GuestState.OffFpReg0 + 8 * r, IrType.F64));
            var tag = sb.Unop(IrOp.ZeroExtend, IrType.I64, sb.Get(GuestState.OffFpTag0 + r, IrType.I8));
            var bits = sb.Call(X87Helpers.EnvironmentTag, value, tag);
            word = sb.Binop(IrOp.Or, word, sb.Binop(IrOp.Shl, IrType.I64, bits, IrValue.U8((ulong)(2 * r))));
        }
        return sb.Unop(IrOp.Truncate, IrType.I16, word);
    }

    /// <summary>fldenv m28: control word, FTOP and C3..C0, and which registers are empty.</summary>
    private static bool LoadEnvironment(LiftContext ctx)
    {
        if (ctx.Insn.MemorySize.GetSize() != EnvironmentSize) return false;
        var sb = ctx.Sb;
        var ea = ctx.EffectiveAddress(0);
        var controlWord = ctx.Load(IrType.I16, ea);
        var statusWord = ctx.Load(IrType.I16, X87Ir.Offset(sb, ea, 4));
        var tagWord = sb.Unop(IrOp.ZeroExtend, IrType.I64, ctx.Load(IrType.I16, X87Ir.Offset(sb, ea, 8)));
        sb.Put(GuestState.OffFpuControl, sb.Unop(IrOp.ZeroExtend, IrType.I64, controlWord));
        X87Ir.SetStatusWord(sb, new X87Stack(ctx), statusWord);
        for (int r = 0; r < 8; r++)
        {
            var bits = sb.Binop(IrOp.And, sb.Binop(IrOp.Shr, IrType.I64, tagWord, IrValue.U8((ulong)(2 * r))), IrValue.U64(3));
            var full = sb.Binop(IrOp.CmpNE, IrType.I1, bits, IrValue.U64(3));
            sb.Put(GuestState.OffFpTag0 + r, sb.Unop(IrOp.ZeroExtend, IrType.I8, full));
        }
        return true;
    }
}
