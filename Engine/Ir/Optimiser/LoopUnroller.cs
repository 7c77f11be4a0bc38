namespace Memcheck.Engine.Ir;

/// <summary>
/// VEX's unrolling of a small superblock that loops to its own start (ir_opt.c, maybe_loop_unroll_BB): the body is
/// repeated 2, 4 or 8 times by its size, each copy with its own temps, so a tight loop leaves its translation (chaining,
/// the event check, reloading guest registers) once per several iterations. The two shapes VEX recognises:
/// a block whose final jump is to its start, and one whose last statement is a side exit to its start followed by a
/// jump elsewhere; the second is turned into the first by negating that exit and swapping the targets.
/// </summary>
public static class LoopUnroller
{
    /// <summary>VEX's iropt_unroll_thresh: the most statements an unrolled block may have.</summary>
    public const int Threshold = 120;

    /// <summary>The unrolled block, or null when <paramref name="sb"/> is not such a loop or is too big to repeat.</summary>
    public static Superblock? Unroll(Superblock sb)
    {
        if (sb.NextKind != JumpKind.Boring || !sb.Next.IsConst || sb.Count == 0) return null;
        int factor = Factor(sb.Count);
        if (factor < 2) return null;
        bool selfLoop = sb.Next.Const == sb.GuestAddress;
        ref readonly var last = ref sb[sb.Count - 1];
        bool exitLoop = !selfLoop && last.Kind == StmtKind.Exit && last.JumpKind == JumpKind.Boring && last.Addr == sb.GuestAddress;
        if (!selfLoop && !exitLoop) return null;

        // The exit's negation adds a temp and a statement to each copy.
        int temps = sb.TempCount + (exitLoop ? 1 : 0);
        var output = new Superblock(sb.GuestAddress, factor * (sb.Count + 1), factor * temps);
        output.Extents.AddRange(sb.Extents);
        for (int copy = 0; copy < factor; copy++)
        {
            int first = output.TempCount;
            for (int t = 0; t < sb.TempCount; t++) output.NewTemp(sb.TypeOf(t));
            var body = sb.Statements;
            if (exitLoop) body = body[..^1];
            foreach (ref readonly var s in body) output.Add(Renamed(s, first));
            if (exitLoop)
            {
                // if (guard) goto start; goto elsewhere  ->  if (!guard) goto elsewhere; goto start.
                var guard = Renamed(last.A, first);
                output.Exit(Negation(output, sb, guard, first), sb.Next.Const, JumpKind.Boring);
            }
        }
        output.Next = IrValue.U64(sb.GuestAddress);
        output.NextKind = JumpKind.Boring;
        return output;
    }

    /// <summary>VEX's calc_unroll_factor: 8 up to an eighth of the threshold, 4 up to a quarter, 2 up to a half.</summary>
    public static int Factor(int statements) =>
        statements <= Threshold / 8 ? 8 : statements <= Threshold / 4 ? 4 : statements <= Threshold / 2 ? 2 : 1;

    /// <summary>
    /// The guard's negation: the opposite comparison of the same operands when the guard is a comparison of the body
    /// (which the backend still branches on directly), the negated value itself when the guard is one negated (the
    /// lifter's jne: Xor with 1), else Not.
    /// </summary>
    private static IrValue Negation(Superblock output, Superblock body, IrValue guard, int first)
    {
        if (guard.IsTemp && Definition(body, guard.Temp - first) is { Kind: StmtKind.Binop } cmp)
        {
            IrValue a = Renamed(cmp.A, first), b = Renamed(cmp.B, first);
            switch (cmp.Op)
            {
                case IrOp.CmpEQ: return output.Binop(IrOp.CmpNE, IrType.I1, a, b);
                case IrOp.CmpNE: return output.Binop(IrOp.CmpEQ, IrType.I1, a, b);
                case IrOp.CmpLTU: return output.Binop(IrOp.CmpLEU, IrType.I1, b, a);
                case IrOp.CmpLEU: return output.Binop(IrOp.CmpLTU, IrType.I1, b, a);
                case IrOp.CmpLTS: return output.Binop(IrOp.CmpLES, IrType.I1, b, a);
                case IrOp.CmpLES: return output.Binop(IrOp.CmpLTS, IrType.I1, b, a);
                case IrOp.Xor when cmp.Type == IrType.I1 && b == IrValue.U1(true): return a;
            }
        }
        return output.Unop(IrOp.Not, IrType.I1, guard);
    }

    private static IrStmt? Definition(Superblock sb, int temp)
    {
        foreach (ref readonly var s in sb.Statements)
            if (s.Dst == temp) return s;
        return null;
    }

    /// <summary>The statement with every temp (written or read) moved up by <paramref name="first"/>, arguments in a new array.</summary>
    private static IrStmt Renamed(in IrStmt s, int first)
    {
        var copy = s;
        if (copy.Dst >= 0) copy.Dst += first;
        copy.A = Renamed(s.A, first);
        copy.B = Renamed(s.B, first);
        copy.C = Renamed(s.C, first);
        if (s.Args is { } args)
        {
            copy.Args = new IrValue[args.Length];
            for (int i = 0; i < args.Length; i++) copy.Args[i] = Renamed(args[i], first);
        }
        return copy;
    }

    private static IrValue Renamed(IrValue v, int first) =>
        TempSubstitution.IsTempOperand(v) ? IrValue.OfTemp(v.Temp + first, v.Type) : v;
}
