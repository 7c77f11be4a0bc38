namespace Memcheck.Engine.Ir;

/// <summary>
/// Valgrind's unrolling of a small block that loops to its own start (ir_opt's maybe_loop_unroll_BB), done as it
/// does, before instrumentation: <c>X: body; goto X</c>, or <c>X: body; if (c) goto X; goto Y</c> turned into
/// <c>X: body; if (!c) goto Y; goto X</c>, becomes two to eight copies of the body in one block. A tight loop then
/// passes its block's entry (the budget check) once per few iterations, and the optimiser carries guest registers
/// from one copy to the next in temps instead of through the guest state.
/// </summary>
public static class LoopUnrolling
{
    /// <summary>Valgrind's --vex-iropt-unroll-thresh: blocks of up to an eighth of it get eight copies, up to a half two.</summary>
    public const int Threshold = 120;

    /// <summary>The block unrolled (a new block), or <paramref name="sb"/> itself when it is no such loop or too big.</summary>
    public static Superblock Run(Superblock sb)
    {
        int copies = Copies(sb.Count);
        if (copies < 2 || sb.NextKind != JumpKind.Boring || !sb.Next.IsConst) return sb;
        bool endsAtStart = sb.Next.Const == sb.GuestAddress;
        if (!endsAtStart && !ExitsToStartLast(sb)) return sb;

        var unrolled = new Superblock(sb.GuestAddress) { Next = IrValue.U64(sb.GuestAddress), NextKind = JumpKind.Boring };
        unrolled.Extents.AddRange(sb.Extents);
        int body = endsAtStart ? sb.Count : sb.Count - 1;
        for (int copy = 0; copy < copies; copy++)
        {
            int bias = unrolled.TempCount;
            foreach (var type in sb.TempTypes) unrolled.NewTemp(type);
            for (int i = 0; i < body; i++) unrolled.Add(Renamed(sb[i], bias));
            if (endsAtStart) continue;
            ref readonly var loop = ref sb[body];
            unrolled.Exit(Negation(unrolled, sb, loop.A, bias), sb.Next.Const, JumpKind.Boring);
        }
        return unrolled;
    }

    private static int Copies(int statements) =>
        statements <= Threshold / 8 ? 8 : statements <= Threshold / 4 ? 4 : statements <= Threshold / 2 ? 2 : 1;

    private static bool ExitsToStartLast(Superblock sb) =>
        sb.Count > 0 && sb[sb.Count - 1] is { Kind: StmtKind.Exit, JumpKind: JumpKind.Boring } last && last.Addr == sb.GuestAddress;

    /// <summary>The copy's guard of staying in the loop, negated: the operand of a negation the body already made, if it is one.</summary>
    private static IrValue Negation(Superblock unrolled, Superblock sb, IrValue guard, int bias)
    {
        if (guard.IsConst) return IrValue.U1((guard.Const & 1) == 0);
        for (int i = sb.Count - 1; i >= 0; i--)
        {
            ref readonly var s = ref sb[i];
            if (s.Dst != guard.Temp) continue;
            if (s is { Kind: StmtKind.Binop, Op: IrOp.Xor, Type: IrType.I1, B: { IsConst: true, Const: 1 } } && s.A.IsTemp) return Renamed(s.A, bias);
            break;
        }
        return unrolled.Binop(IrOp.Xor, Renamed(guard, bias), IrValue.U1(true));
    }

    private static IrStmt Renamed(in IrStmt s, int bias)
    {
        var copy = s;
        if (copy.Dst >= 0) copy.Dst += bias;
        copy.A = Renamed(s.A, bias);
        copy.B = Renamed(s.B, bias);
        copy.C = Renamed(s.C, bias);
        if (s.Args is { } args)
        {
            copy.Args = new IrValue[args.Length];
            for (int k = 0; k < args.Length; k++) copy.Args[k] = Renamed(args[k], bias);
        }
        return copy;
    }

    private static IrValue Renamed(IrValue v, int bias) => TempSubstitution.IsTempOperand(v) ? IrValue.OfTemp(v.Temp + bias, v.Type) : v;
}
