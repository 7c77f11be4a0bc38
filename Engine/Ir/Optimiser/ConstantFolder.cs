namespace Memcheck.Engine.Ir;

/// <summary>
/// Evaluates operations whose operands are all constant (through <see cref="IrEvaluator"/>, so folding
/// can never disagree with execution), applies algebraic identities that make a result equal to an
/// operand, resolves ITEs and side exits with constant conditions, and propagates the results.
/// An exit whose condition is constantly true becomes the block's end; a call whose guard is constantly
/// false goes (its result is 0), one whose guard is constantly true becomes a plain call.
/// </summary>
public static class ConstantFolder
{
    public static void Run(Superblock sb)
    {
        var subst = new TempSubstitution(sb.TempCount);
        var definition = PassScratch.Ints(sb.TempCount, -1);
        // Kept statements are compacted in place: sb[0, kept) is the block so far.
        int kept = 0;

        for (int i = 0; i < sb.Count; i++)
        {
            IrStmt s = sb[i];
            subst.Rewrite(ref s);
            switch (s.Kind)
            {
                case StmtKind.Unop or StmtKind.Binop or StmtKind.Triop:
                {
                    IrValue value = AllConstant(s) ? Constant(s.Type, Evaluate(s)) : Identities.Simplify(s, sb.Statements[..kept], definition);
                    if (!value.IsNone)
                    {
                        subst.Replace(s.Dst, value);
                        continue;
                    }
                    break;
                }
                case StmtKind.Ite when s.A.IsConst || s.B == s.C:
                    subst.Replace(s.Dst, !s.A.IsConst || (s.A.Const & 1) != 0 ? s.B : s.C);
                    continue;
                case StmtKind.Call when s.A.IsConst:
                    if ((s.A.Const & 1) == 0)
                    {
                        if (s.Dst >= 0) subst.Replace(s.Dst, IrValue.U64(0));
                        continue;
                    }
                    s.A = IrValue.None;
                    break;
                case StmtKind.Exit when s.A.IsConst:
                    if ((s.A.Const & 1) == 0) continue;
                    sb.Next = IrValue.U64(s.Addr);
                    sb.NextKind = s.JumpKind;
                    sb.Truncate(kept);
                    return;
            }
            if (s.Dst >= 0) definition[s.Dst] = kept;
            sb[kept++] = s;
        }
        sb.Next = subst.Resolve(sb.Next);
        sb.Truncate(kept);
    }

    private static bool AllConstant(in IrStmt s) =>
        s.A.IsConst && (s.Kind == StmtKind.Unop || s.B.IsConst) && (s.Kind != StmtKind.Triop || s.C.IsConst);

    private static Value128 Evaluate(in IrStmt s) => s.Kind switch
    {
        StmtKind.Unop => IrEvaluator.Unop(s.Op, s.Type, s.A.Type, s.Lane, ValueOf(s.A)),
        StmtKind.Binop => IrEvaluator.Binop(s.Op, s.Type, s.A.Type, s.Lane, ValueOf(s.A), ValueOf(s.B)),
        _ => IrEvaluator.Triop(s.Op, s.Type, s.A.Type, s.Lane, ValueOf(s.A), ValueOf(s.B), ValueOf(s.C)),
    };

    private static Value128 ValueOf(IrValue constant) => new(constant.Const, constant.ConstHi);

    internal static IrValue Constant(IrType type, Value128 v) =>
        type.IsWide() ? IrValue.Constant128(type, v.Lo, v.Hi) : IrValue.Constant(type, v.Lo);
}
