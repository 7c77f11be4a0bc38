using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Ir;

/// <summary>
/// A Get of a guest-state slot whose value the block already holds (from an earlier Put, or an
/// earlier Get with the same offset and type, with no write to those bytes in between) is replaced by
/// that value; a narrower integer Get at the same offset by that value's truncation, made once, so that both
/// operands of xor edx,edx after a put of rdx are one value (which the folder turns into 0, and memcheck sees defined,
/// as VEX does). Writes are Put, PutI (anywhere in its array) and helper calls by their declared
/// StateWrites. Memory operations never alias the guest state: the guard never grants it to the guest.
/// A Put of the value the slot is known to hold already goes too.
/// </summary>
public static class RedundantGetElimination
{
    /// <summary>A known value, and the truncation of it a narrower Get was given (or none).</summary>
    private readonly record struct Slot(int Size, IrType Type, IrValue Value, IrValue Narrow = default);

    /// <summary>The largest Get or Put (a vector): how far before an offset a value covering it may start.</summary>
    private const int LongestSlot = 16;

    /// <summary>Known values by the state offset they start at, per thread and reused; offsets set are listed to be cleared.</summary>
    [ThreadStatic] private static Slot?[]? t_known;
    [ThreadStatic] private static List<int>? t_set;

    public static void Run(Superblock sb)
    {
        var subst = new TempSubstitution(sb.TempCount);
        var known = t_known ??= new Slot?[GuestState.BlockSize];
        var set = t_set ??= [];
        int kept = 0;

        for (int i = 0; i < sb.Count; i++)
        {
            IrStmt s = sb[i];
            subst.Rewrite(ref s);
            switch (s.Kind)
            {
                case StmtKind.Get when IsSlot(s.Offset, s.Type):
                {
                    if (known[s.Offset] is { } slot && slot.Type == s.Type)
                    {
                        subst.Replace(s.Dst, slot.Value);
                        continue;
                    }
                    if (known[s.Offset] is { } truncated && truncated.Narrow.Type == s.Type)
                    {
                        subst.Replace(s.Dst, truncated.Narrow);
                        continue;
                    }
                    if (known[s.Offset] is { } wider && IsLowPart(s.Type, wider.Type))
                    {
                        // The low bytes of a wider integer (eax of a put rax): its truncation, which the folder
                        // cancels against the zero or sign extension a 32-bit write put there.
                        sb[kept++] = new IrStmt { Kind = StmtKind.Unop, Op = IrOp.Truncate, Type = s.Type, A = wider.Value, Dst = s.Dst };
                        known[s.Offset] = wider with { Narrow = IrValue.OfTemp(s.Dst, s.Type) };
                        continue;
                    }
                    Forget(known, s.Offset, s.Type.Bytes());
                    Remember(known, set, s.Offset, new Slot(s.Type.Bytes(), s.Type, IrValue.OfTemp(s.Dst, s.Type)));
                    break;
                }
                case StmtKind.Put when IsSlot(s.Offset, s.Type):
                    // The state already holds this value there (a flag thunk's constant operation and zero shadows,
                    // written again by the next instruction or loop iteration): nothing to write.
                    if (known[s.Offset] is { } holds && holds.Type == s.Type && holds.Value == s.A) continue;
                    Forget(known, s.Offset, s.Type.Bytes());
                    Remember(known, set, s.Offset, new Slot(s.Type.Bytes(), s.Type, s.A));
                    break;
                case StmtKind.Put:
                    Forget(known, s.Offset, s.Type.Bytes());
                    break;
                case StmtKind.PutI:
                    Forget(known, s.Offset, s.Count * s.Type.Bytes());
                    break;
                case StmtKind.Call:
                    // Indexed: a foreach over the interface would allocate an enumerator per call.
                    var writes = s.Helper!.StateWrites;
                    for (int k = 0; k < writes.Count; k++) Forget(known, writes[k].Offset, writes[k].Size);
                    break;
            }
            sb[kept++] = s;
        }
        sb.Next = subst.Resolve(sb.Next);
        sb.Truncate(kept);
        foreach (int offset in set) known[offset] = null;
        set.Clear();
    }

    private static bool IsLowPart(IrType part, IrType whole) =>
        part is IrType.I8 or IrType.I16 or IrType.I32 && whole is IrType.I16 or IrType.I32 or IrType.I64
        && part.Bytes() < whole.Bytes();

    private static bool IsSlot(int offset, IrType type) => offset >= 0 && offset + type.Bytes() <= GuestState.BlockSize;

    private static void Remember(Slot?[] known, List<int> set, int offset, Slot slot)
    {
        known[offset] = slot;
        set.Add(offset);
    }

    /// <summary>Drops every known value overlapping [offset, offset+size): those starting in it or up to a slot's length before.</summary>
    private static void Forget(Slot?[] known, int offset, int size)
    {
        int from = Math.Max(0, offset - LongestSlot + 1), to = Math.Min(known.Length, offset + size);
        for (int o = from; o < to; o++)
            if (known[o] is { } slot && o + slot.Size > offset) known[o] = null;
    }
}
