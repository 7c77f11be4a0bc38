namespace Memcheck.Engine.Ir;

/// <summary>
/// A Get of a guest-state slot whose value the block already holds (from an earlier Put, or an
/// earlier Get with the same offset and type, with no write to those bytes in between) is replaced by
/// that value. Writes are Put, PutI (anywhere in its array) and helper calls by their declared
/// StateWrites. Memory operations never alias the guest state: the guard never grants it to the guest.
/// </summary>
public static class RedundantGetElimination
{
    private readonly record struct Slot(int Offset, int Size, IrType Type, IrValue Value);

    [ThreadStatic] private static List<Slot>? t_known;

    public static void Run(Superblock sb)
    {
        var subst = new TempSubstitution(sb.TempCount);
        var known = t_known ??= [];
        known.Clear();
        int kept = 0;

        for (int i = 0; i < sb.Count; i++)
        {
            IrStmt s = sb[i];
            subst.Rewrite(ref s);
            switch (s.Kind)
            {
                case StmtKind.Get:
                {
                    int index = Find(known, s.Offset, s.Type);
                    if (index >= 0)
                    {
                        subst.Replace(s.Dst, known[index].Value);
                        continue;
                    }
                    known.Add(new Slot(s.Offset, s.Type.Bytes(), s.Type, IrValue.OfTemp(s.Dst, s.Type)));
                    break;
                }
                case StmtKind.Put:
                    Forget(known, s.Offset, s.Type.Bytes());
                    known.Add(new Slot(s.Offset, s.Type.Bytes(), s.Type, s.A));
                    break;
                case StmtKind.PutI:
                    Forget(known, s.Offset, s.Count * s.Type.Bytes());
                    break;
                case StmtKind.Call:
                    foreach (var (offset, size) in s.Helper!.StateWrites) Forget(known, offset, size);
                    break;
            }
            sb[kept++] = s;
        }
        sb.Next = subst.Resolve(sb.Next);
        sb.Truncate(kept);
    }

    private static int Find(List<Slot> known, int offset, IrType type)
    {
        for (int k = 0; k < known.Count; k++)
            if (known[k].Offset == offset && known[k].Type == type) return k;
        return -1;
    }

    private static void Forget(List<Slot> known, int offset, int size)
    {
        for (int k = known.Count - 1; k >= 0; k--)
            if (known[k].Offset < offset + size && offset < known[k].Offset + known[k].Size) known.RemoveAt(k);
    }
}
