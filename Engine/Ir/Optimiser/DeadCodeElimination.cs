namespace Memcheck.Engine.Ir;

/// <summary>
/// Removes statements whose only effect is a temp nobody uses: Get, GetI, operations, ITE and pure
/// helper calls. Loads stay even when unused (they may fault), as do dirty calls (guarded or not) and all other effects.
/// </summary>
public static class DeadCodeElimination
{
    public static void Run(Superblock sb)
    {
        var live = PassScratch.Flags(sb.TempCount);
        MarkLive(live, sb.Next);
        // Kept statements are compacted toward the end in place: sb[first, Count) is what stays.
        int first = sb.Count;

        for (int i = sb.Count - 1; i >= 0; i--)
        {
            ref readonly IrStmt s = ref sb[i];
            bool removable = s.Kind switch
            {
                StmtKind.Get or StmtKind.GetI or StmtKind.Unop or StmtKind.Binop or StmtKind.Triop or StmtKind.Ite => true,
                StmtKind.Call => s.Helper!.IsPure,
                _ => false,
            };
            if (removable && (s.Dst < 0 || !live[s.Dst])) continue;
            MarkLive(live, s.A);
            MarkLive(live, s.B);
            MarkLive(live, s.C);
            if (s.Args is { } args)
                foreach (var arg in args) MarkLive(live, arg);
            sb[--first] = s;
        }
        sb.KeepFrom(first);
    }

    private static void MarkLive(bool[] live, IrValue v)
    {
        if (TempSubstitution.IsTempOperand(v)) live[v.Temp] = true;
    }
}
