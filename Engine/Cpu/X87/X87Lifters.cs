using Iced.Intel;
using X86Register = Iced.Intel.Register;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.X87.X87Helpers;

namespace Memcheck.Engine.Cpu.X87;

/// <summary>
/// x87 loads, stores, arithmetic, comparisons and functions on the F64 register stack (see
/// <see cref="X87Stack"/>). Arithmetic rounds to F64 to nearest whatever the control word's
/// precision and rounding fields say; integer stores and frndint do honour the rounding field.
/// </summary>
internal static class X87Lifters
{
    public static void Register(LifterTable t)
    {
        t.Add(Mnemonic.Fld, Load);
        t.Add(Mnemonic.Fild, Load);
        t.Add(Mnemonic.Fst, ctx => Store(ctx, pop: false));
        t.Add(Mnemonic.Fstp, ctx => Store(ctx, pop: true));
        t.Add(Mnemonic.Fstpnce, ctx => Store(ctx, pop: true));
        t.Add(Mnemonic.Fist, ctx => StoreInteger(ctx, pop: false, truncate: false));
        t.Add(Mnemonic.Fistp, ctx => StoreInteger(ctx, pop: true, truncate: false));
        t.Add(Mnemonic.Fisttp, ctx => StoreInteger(ctx, pop: true, truncate: true));
        foreach (var (mnemonic, value) in Constants) t.Add(mnemonic, ctx => PushConstant(ctx, value));
        t.Add(Mnemonic.Fxch, Exchange);
        foreach (var (mnemonic, condition) in ConditionalMoves) t.Add(mnemonic, ctx => ConditionalMove(ctx, condition));

        foreach (var (mnemonics, op, reversed) in ArithmeticFamilies)
        {
            t.Add(mnemonics[0], ctx => Arithmetic(ctx, op, reversed, pop: false));
            t.Add(mnemonics[1], ctx => Arithmetic(ctx, op, reversed, pop: true));
            t.Add(mnemonics[2], ctx => Arithmetic(ctx, op, reversed, pop: false));
        }

        t.Add(Mnemonic.Fcom, ctx => Compare(ctx, pops: 0));
        t.Add(Mnemonic.Fucom, ctx => Compare(ctx, pops: 0));
        t.Add(Mnemonic.Ficom, ctx => Compare(ctx, pops: 0));
        t.Add(Mnemonic.Fcomp, ctx => Compare(ctx, pops: 1));
        t.Add(Mnemonic.Fucomp, ctx => Compare(ctx, pops: 1));
        t.Add(Mnemonic.Ficomp, ctx => Compare(ctx, pops: 1));
        t.Add(Mnemonic.Fcompp, ctx => Compare(ctx, pops: 2));
        t.Add(Mnemonic.Fucompp, ctx => Compare(ctx, pops: 2));
        t.Add(Mnemonic.Fcomi, ctx => CompareToRflags(ctx, pop: false));
        t.Add(Mnemonic.Fucomi, ctx => CompareToRflags(ctx, pop: false));
        t.Add(Mnemonic.Fcomip, ctx => CompareToRflags(ctx, pop: true));
        t.Add(Mnemonic.Fucomip, ctx => CompareToRflags(ctx, pop: true));
        t.Add(Mnemonic.Ftst, Test);
        t.Add(Mnemonic.Fxam, Examine);

        t.Add(Mnemonic.Fchs, ctx => UnaryOp(ctx, IrOp.FNeg));
        t.Add(Mnemonic.Fabs, ctx => UnaryOp(ctx, IrOp.FAbs));
        t.Add(Mnemonic.Fsqrt, ctx => UnaryOp(ctx, IrOp.FSqrt));
        t.Add(Mnemonic.Frndint, RoundToInteger);
        t.Add(Mnemonic.F2xm1, ctx => UnaryHelper(ctx, UnaryFunction.Exp2Minus1));
        t.Add(Mnemonic.Fscale, Scale);
        t.Add(Mnemonic.Fxtract, Extract);
        t.Add(Mnemonic.Fprem, ctx => PartialRemainder(ctx, ieee: false));
        t.Add(Mnemonic.Fprem1, ctx => PartialRemainder(ctx, ieee: true));
        t.Add(Mnemonic.Fsin, ctx => Trigonometric(ctx, TrigFunction.Sin));
        t.Add(Mnemonic.Fcos, ctx => Trigonometric(ctx, TrigFunction.Cos));
        t.Add(Mnemonic.Fptan, PartialTangent);
        t.Add(Mnemonic.Fsincos, SineCosine);
        t.Add(Mnemonic.Fpatan, ctx => BinaryAndPop(ctx, BinaryFunction.Atan2));
        t.Add(Mnemonic.Fyl2x, ctx => BinaryAndPop(ctx, BinaryFunction.Yl2x));
        t.Add(Mnemonic.Fyl2xp1, ctx => BinaryAndPop(ctx, BinaryFunction.Yl2xp1));

        X87ControlLifters.Register(t);
    }

    /// <summary>fld1 and friends: each constant rounded to F64 (to nearest).</summary>
    private static readonly (Mnemonic, double)[] Constants =
    [
        (Mnemonic.Fld1, 1.0),
        (Mnemonic.Fldz, 0.0),
        (Mnemonic.Fldpi, Math.PI),
        (Mnemonic.Fldl2e, 1.4426950408889634),
        (Mnemonic.Fldl2t, 3.3219280948873622),
        (Mnemonic.Fldlg2, 0.30102999566398120),
        (Mnemonic.Fldln2, 0.69314718055994531),
    ];

    /// <summary>fcmovcc and the flags condition each tests (Iced gives these no ConditionCode).</summary>
    private static readonly (Mnemonic, X86Condition)[] ConditionalMoves =
    [
        (Mnemonic.Fcmovb, X86Condition.B),
        (Mnemonic.Fcmove, X86Condition.E),
        (Mnemonic.Fcmovbe, X86Condition.BE),
        (Mnemonic.Fcmovu, X86Condition.P),
        (Mnemonic.Fcmovnb, X86Condition.AE),
        (Mnemonic.Fcmovne, X86Condition.NE),
        (Mnemonic.Fcmovnbe, X86Condition.A),
        (Mnemonic.Fcmovnu, X86Condition.NP),
    ];

    /// <summary>(plain, popping, integer-operand) mnemonics of each arithmetic family, its op, and whether it is reversed.</summary>
    private static readonly (Mnemonic[] Mnemonics, IrOp Op, bool Reversed)[] ArithmeticFamilies =
    [
        ([Mnemonic.Fadd, Mnemonic.Faddp, Mnemonic.Fiadd], IrOp.FAdd, false),
        ([Mnemonic.Fmul, Mnemonic.Fmulp, Mnemonic.Fimul], IrOp.FMul, false),
        ([Mnemonic.Fsub, Mnemonic.Fsubp, Mnemonic.Fisub], IrOp.FSub, false),
        ([Mnemonic.Fsubr, Mnemonic.Fsubrp, Mnemonic.Fisubr], IrOp.FSub, true),
        ([Mnemonic.Fdiv, Mnemonic.Fdivp, Mnemonic.Fidiv], IrOp.FDiv, false),
        ([Mnemonic.Fdivr, Mnemonic.Fdivrp, Mnemonic.Fidivr], IrOp.FDiv, true),
    ];

    private static int St(X86Register r) => r - X86Register.ST0;

    /// <summary>fld m32/m64/m80/st(i), fild m16/m32/m64.</summary>
    private static bool Load(LiftContext ctx)
    {
        if (ctx.IsMemory(0))
        {
            if (!X87Ir.IsValueOperand(ctx.Insn.MemorySize)) return false;
            var value = X87Ir.LoadAsF64(ctx, 0);
            new X87Stack(ctx).Push(value);
            return true;
        }
        var stack = new X87Stack(ctx);
        stack.Push(stack.Get(St(ctx.Insn.Op0Register)));
        return true;
    }

    /// <summary>fst/fstp to m32/m64/m80 or st(i).</summary>
    private static bool Store(LiftContext ctx, bool pop)
    {
        if (ctx.IsMemory(0) && ctx.Insn.MemorySize is not (MemorySize.Float32 or MemorySize.Float64 or MemorySize.Float80))
            return false;
        var stack = new X87Stack(ctx);
        var value = stack.Get(0);
        if (ctx.IsMemory(0)) X87Ir.StoreF64(ctx, 0, value);
        else stack.Set(St(ctx.Insn.Op0Register), value);
        if (pop) stack.Pop();
        return true;
    }

    /// <summary>fist/fistp (control word's rounding) and fisttp (truncation) to m16/m32/m64.</summary>
    private static bool StoreInteger(LiftContext ctx, bool pop, bool truncate)
    {
        if (ctx.Insn.MemorySize is not (MemorySize.Int16 or MemorySize.Int32 or MemorySize.Int64)) return false;
        var sb = ctx.Sb;
        int size = ctx.Insn.MemorySize.GetSize();
        var stack = new X87Stack(ctx);
        var controlWord = truncate ? IrValue.U64(0xC00) : X87Ir.ControlWord(sb);
        var integer = sb.Call(ToInteger, X87Ir.Bits(sb, stack.Get(0)), controlWord, IrValue.U64((ulong)size));
        ctx.Store(ctx.EffectiveAddress(0), size == 8 ? integer : sb.Unop(IrOp.Truncate, IrTypes.IntOfBytes(size), integer));
        if (pop) stack.Pop();
        return true;
    }

    private static bool PushConstant(LiftContext ctx, double value)
    {
        new X87Stack(ctx).Push(X87Ir.F64(value));
        return true;
    }

    private static bool Exchange(LiftContext ctx)
    {
        int i = ctx.Insn.OpCount == 2 ? St(ctx.Insn.Op1Register) : 1;
        var stack = new X87Stack(ctx);
        var top = stack.Get(0);
        stack.Set(0, stack.Get(i));
        stack.Set(i, top);
        return true;
    }

    private static bool ConditionalMove(LiftContext ctx, X86Condition flagsCondition)
    {
        var condition = ctx.Condition(flagsCondition);
        var stack = new X87Stack(ctx);
        stack.Set(0, ctx.Sb.Ite(condition, stack.Get(St(ctx.Insn.Op1Register)), stack.Get(0)));
        return true;
    }

    /// <summary>
    /// One-operand forms: ST(0) = ST(0) op m32/m64/m16int/m32int. Two-operand forms (Iced gives
    /// destination then source): dst = dst op src, or src op dst when reversed; then the optional pop.
    /// </summary>
    private static bool Arithmetic(LiftContext ctx, IrOp op, bool reversed, bool pop)
    {
        var insn = ctx.Insn;
        if (insn.OpCount == 1) return ctx.IsMemory(0) && X87Ir.IsValueOperand(insn.MemorySize) && ArithmeticWithMemory(ctx, op, reversed);
        if (insn.OpCount != 2) return false;
        int d = St(insn.Op0Register), s = St(insn.Op1Register);
        var stack = new X87Stack(ctx);
        var dst = stack.Get(d);
        var source = stack.Get(s);
        stack.Set(d, reversed ? ctx.Sb.Binop(op, source, dst) : ctx.Sb.Binop(op, dst, source));
        if (pop) stack.Pop();
        return true;
    }

    private static bool ArithmeticWithMemory(LiftContext ctx, IrOp op, bool reversed)
    {
        var source = X87Ir.LoadAsF64(ctx, 0);
        var stack = new X87Stack(ctx);
        var dst = stack.Get(0);
        stack.Set(0, reversed ? ctx.Sb.Binop(op, source, dst) : ctx.Sb.Binop(op, dst, source));
        return true;
    }

    /// <summary>ST(0) against the operand (ST(1) when none) as FCmpFlags gives ZF,PF,CF (I64, RFLAGS positions).</summary>
    private static IrValue CompareFlags(LiftContext ctx, X87Stack stack, IrValue other) =>
        ctx.Sb.Unop(IrOp.ZeroExtend, IrType.I64, ctx.Sb.Binop(IrOp.FCmpFlags, IrType.I32, stack.Get(0), other));

    /// <summary>C3,C2,C0 from ZF,PF,CF (bits 6,2,0 move up by 8 to 14,10,8); C1 cleared.</summary>
    private static void PutCompareConditions(Superblock sb, IrValue rflags) =>
        X87Ir.PutConditions(sb, sb.Binop(IrOp.Shl, IrType.I64,
            sb.Binop(IrOp.And, rflags, IrValue.U64(X86Flags.ZF | X86Flags.PF | X86Flags.CF)), IrValue.U8(8)));

    private static bool Compare(LiftContext ctx, int pops)
    {
        var insn = ctx.Insn;
        if (insn.OpCount == 1 && !(ctx.IsMemory(0) && X87Ir.IsValueOperand(insn.MemorySize))) return false;
        var stack = new X87Stack(ctx);
        var other = insn.OpCount switch
        {
            1 => X87Ir.LoadAsF64(ctx, 0),
            2 => stack.Get(St(insn.Op1Register)),
            _ => stack.Get(1),
        };
        PutCompareConditions(ctx.Sb, CompareFlags(ctx, stack, other));
        for (int i = 0; i < pops; i++) stack.Pop();
        return true;
    }

    /// <summary>fcomi family: ZF,PF,CF from the comparison, OF,SF,AF cleared.</summary>
    private static bool CompareToRflags(LiftContext ctx, bool pop)
    {
        var stack = new X87Stack(ctx);
        ctx.SetFlagsFromRflags(CompareFlags(ctx, stack, stack.Get(St(ctx.Insn.Op1Register))));
        if (pop) stack.Pop();
        return true;
    }

    private static bool Test(LiftContext ctx)
    {
        var stack = new X87Stack(ctx);
        PutCompareConditions(ctx.Sb, CompareFlags(ctx, stack, X87Ir.F64(0.0)));
        return true;
    }

    private static bool Examine(LiftContext ctx)
    {
        var sb = ctx.Sb;
        var stack = new X87Stack(ctx);
        var tag = sb.Unop(IrOp.ZeroExtend, IrType.I64, stack.GetTag(0));
        X87Ir.PutConditions(sb, sb.Call(X87Helpers.Examine, X87Ir.Bits(sb, stack.GetRaw(0)), tag));
        return true;
    }

    private static bool UnaryOp(LiftContext ctx, IrOp op)
    {
        var stack = new X87Stack(ctx);
        stack.Set(0, ctx.Sb.Unop(op, IrType.F64, stack.Get(0)));
        return true;
    }

    private static bool RoundToInteger(LiftContext ctx)
    {
        var sb = ctx.Sb;
        var stack = new X87Stack(ctx);
        stack.Set(0, X87Ir.CallF64(sb, RoundToIntegral, stack.Get(0), X87Ir.ControlWord(sb)));
        return true;
    }

    private static bool UnaryHelper(LiftContext ctx, UnaryFunction function)
    {
        var stack = new X87Stack(ctx);
        stack.Set(0, X87Ir.CallF64(ctx.Sb, Unary, stack.Get(0), IrValue.U64((ulong)function)));
        return true;
    }

    private static bool Scale(LiftContext ctx)
    {
        var stack = new X87Stack(ctx);
        stack.Set(0, X87Ir.CallF64(ctx.Sb, Binary, stack.Get(1), stack.Get(0), IrValue.U64((ulong)BinaryFunction.Scale)));
        return true;
    }

    /// <summary>fpatan, fyl2x, fyl2xp1: ST(1) = f(ST(1), ST(0)), then pop.</summary>
    private static bool BinaryAndPop(LiftContext ctx, BinaryFunction function)
    {
        var stack = new X87Stack(ctx);
        stack.Set(1, X87Ir.CallF64(ctx.Sb, Binary, stack.Get(1), stack.Get(0), IrValue.U64((ulong)function)));
        stack.Pop();
        return true;
    }

    /// <summary>fxtract: ST(0) = exponent, then push the significand.</summary>
    private static bool Extract(LiftContext ctx)
    {
        var sb = ctx.Sb;
        var stack = new X87Stack(ctx);
        var value = stack.Get(0);
        stack.Set(0, X87Ir.CallF64(sb, Unary, value, IrValue.U64((ulong)UnaryFunction.Exponent)));
        stack.Push(X87Ir.CallF64(sb, Unary, value, IrValue.U64((ulong)UnaryFunction.Significand)));
        return true;
    }

    /// <summary>fprem/fprem1, always complete (C2 clear), quotient bits in C0, C3, C1.</summary>
    private static bool PartialRemainder(LiftContext ctx, bool ieee)
    {
        var sb = ctx.Sb;
        var stack = new X87Stack(ctx);
        var dividend = stack.Get(0);
        var divisor = stack.Get(1);
        var kind = IrValue.U64(ieee ? 1UL : 0UL);
        stack.Set(0, X87Ir.CallF64(sb, Remainder, dividend, divisor, kind));
        X87Ir.PutConditions(sb, sb.Call(RemainderFlags, X87Ir.Bits(sb, dividend), X87Ir.Bits(sb, divisor), kind));
        return true;
    }

    /// <summary>fsin/fcos: operands beyond 2^63 stay as they are and set C2.</summary>
    private static bool Trigonometric(LiftContext ctx, TrigFunction function)
    {
        var sb = ctx.Sb;
        var stack = new X87Stack(ctx);
        var value = stack.Get(0);
        stack.Set(0, X87Ir.CallF64(sb, Trig, value, IrValue.U64((ulong)function)));
        X87Ir.PutConditions(sb, sb.Call(TrigOutOfRange, X87Ir.Bits(sb, value)));
        return true;
    }

    /// <summary>fptan: ST(0) = tan, then push 1.0; nothing but C2 changes out of range.</summary>
    private static bool PartialTangent(LiftContext ctx) =>
        PushSecondResult(ctx, TrigFunction.Tan, _ => X87Ir.F64(1.0));

    /// <summary>fsincos: ST(0) = sin, then push cos; nothing but C2 changes out of range.</summary>
    private static bool SineCosine(LiftContext ctx) =>
        PushSecondResult(ctx, TrigFunction.Sin, value => X87Ir.CallF64(ctx.Sb, Trig, value, IrValue.U64((ulong)TrigFunction.Cos)));

    private static bool PushSecondResult(LiftContext ctx, TrigFunction first, Func<IrValue, IrValue> second)
    {
        var sb = ctx.Sb;
        var stack = new X87Stack(ctx);
        var value = stack.Get(0);
        var outOfRange = sb.Call(TrigOutOfRange, X87Ir.Bits(sb, value));
        var inRange = sb.Binop(IrOp.CmpEQ, IrType.I1, outOfRange, IrValue.U64(0));
        X87Ir.PutConditions(sb, outOfRange);
        // Out of range the helper returns the operand, and the "push" rewrites ST(0) in place.
        stack.Set(0, X87Ir.CallF64(sb, Trig, value, IrValue.U64((ulong)first)));
        var newTop = sb.Ite(inRange,
            sb.Binop(IrOp.And, sb.Binop(IrOp.Sub, stack.Top, IrValue.U32(1)), IrValue.U32(7)), stack.Top);
        stack.SetTop(newTop);
        stack.Set(0, sb.Ite(inRange, second(value), stack.GetRaw(0)));
        return true;
    }
}
