namespace Memcheck.Engine.Ir;

/// <summary>
/// Moves a comparison whose only use is the guard of a later side exit or helper call to just before that
/// statement, so the backend can branch on the flags it sets instead of materialising a bit (memcheck's checks
/// compute their guards early, among the instruction's other statements). Comparisons are pure and temps are
/// assigned once, so the move changes nothing else.
/// </summary>
public static class CompareSinking
{
    [ThreadStatic] private static List<IrStmt>? t_pending;

    public static void Run(Superblock sb)
    {
        // Exits' comparisons come right before them from the lifter; only instrumentation separates a guard.
        if (!HasGuardedCall(sb)) return;
        // Per temp: its number of uses, negated once a use is not a guard.
        var uses = PassScratch.Ints(sb.TempCount, 0);
        for (int i = 0; i < sb.Count; i++)
        {
            ref readonly var s = ref sb[i];
            bool guard = s.Kind is StmtKind.Exit or StmtKind.Call;
            Use(uses, s.A, guard);
            Use(uses, s.B, false);
            Use(uses, s.C, false);
            if (s.Args is { } args)
                foreach (var arg in args) Use(uses, arg, false);
        }
        Use(uses, sb.Next, false);

        var pending = t_pending ??= [];
        int kept = 0;
        for (int i = 0; i < sb.Count; i++)
        {
            IrStmt s = sb[i];
            if (IsComparison(s) && uses[s.Dst] == 1)
            {
                pending.Add(s);
                continue;
            }
            if (s.Kind is StmtKind.Exit or StmtKind.Call && s.A.IsTemp && !s.A.IsNone)
            {
                for (int k = 0; k < pending.Count; k++)
                {
                    if (pending[k].Dst != s.A.Temp) continue;
                    sb[kept++] = pending[k];
                    pending.RemoveAt(k);
                    break;
                }
            }
            sb[kept++] = s;
        }
        // Every pending comparison had its guard later in the block.
        pending.Clear();
    }

    private static bool HasGuardedCall(Superblock sb)
    {
        for (int i = 0; i < sb.Count; i++)
            if (sb[i].Kind == StmtKind.Call && TempSubstitution.IsTempOperand(sb[i].A)) return true;
        return false;
    }

    private static bool IsComparison(in IrStmt s) =>
        s.Kind == StmtKind.Binop && s.Op is >= IrOp.CmpEQ and <= IrOp.CmpLES && s.Dst >= 0;

    private static void Use(int[] uses, IrValue v, bool guard)
    {
        if (!TempSubstitution.IsTempOperand(v)) return;
        ref int n = ref uses[v.Temp];
        if (n < 0) return;
        n = guard ? n + 1 : int.MinValue;
    }
}
