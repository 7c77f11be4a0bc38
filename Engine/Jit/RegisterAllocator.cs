using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Jit;

/// <summary>Where each temp of a block lives: a host register, a frame slot, or nowhere (never read).</summary>
internal sealed class TempHomes(int tempCount)
{
    public readonly int[] Register = Filled(tempCount);
    /// <summary>rsp-relative offset of the temp's spill slot (16 bytes for I128/V128).</summary>
    public readonly int[] Slot = Filled(tempCount);
    public int SpillBytes;

    private static int[] Filled(int n)
    {
        var a = new int[n];
        Array.Fill(a, -1);
        return a;
    }
}

/// <summary>
/// Linear scan over the temps of one superblock. A temp lives from the statement that writes it to its
/// last read; one that lives across a call out of generated code (helper or evaluator) gets a
/// callee-saved register, others prefer caller-saved ones so callee-saved stay free for the former.
/// Wide temps (I128/V128) always live in the frame. Registers rax, rcx, rdx, r11 and xmm15 are the
/// emitter's scratch and never allocated.
/// </summary>
internal static class RegisterAllocator
{
    private static readonly int[] CallerSaved = [X64.Rsi, X64.Rdi, X64.R8, X64.R9, X64.R10];
    private static readonly int[] CalleeSaved = [X64.Rbx, X64.R12, X64.R13, X64.R14, X64.R15];

    /// <summary>Statement index of each temp's last read (the final Next reads at Count); -1 if never read.</summary>
    public static int[] LastUses(Superblock sb)
    {
        var last = new int[sb.TempCount];
        Array.Fill(last, -1);
        var stmts = sb.Statements;
        for (int i = 0; i < stmts.Length; i++)
        {
            ref readonly var s = ref stmts[i];
            Read(last, s.A, i);
            Read(last, s.B, i);
            Read(last, s.C, i);
            if (s.Args != null) foreach (var v in s.Args) Read(last, v, i);
        }
        Read(last, sb.Next, stmts.Length);
        return last;
    }

    private static void Read(int[] last, IrValue v, int at)
    {
        // Operands a statement kind does not use are default values: Temp 0 but type None.
        if (v.IsTemp && !v.IsNone) last[v.Temp] = at;
    }

    public static TempHomes Allocate(Superblock sb, int[] lastUse)
    {
        var stmts = sb.Statements;
        var homes = new TempHomes(sb.TempCount);
        // callsBefore[i]: number of statements before i that call out.
        var callsBefore = new int[stmts.Length + 2];
        for (int i = 0; i < stmts.Length; i++) callsBefore[i + 1] = callsBefore[i] + (InlineOps.CallsOut(stmts[i]) ? 1 : 0);
        callsBefore[stmts.Length + 1] = callsBefore[stmts.Length];

        var owner = new int[16];
        Array.Fill(owner, -1);
        var active = new List<int>();
        for (int i = 0; i < stmts.Length; i++)
        {
            int t = stmts[i].Dst;
            if (t < 0 || lastUse[t] < 0) continue;
            if (!InlineOps.IsNarrow(sb.TypeOf(t)))
            {
                homes.Slot[t] = NewSlot(homes, 16);
                continue;
            }
            for (int k = active.Count - 1; k >= 0; k--)
            {
                int a = active[k];
                if (lastUse[a] > i) continue;
                owner[homes.Register[a]] = -1;
                active.RemoveAt(k);
            }
            // Reads at the call statement itself happen before it, so only calls strictly inside count.
            bool crossesCall = callsBefore[lastUse[t]] - callsBefore[i + 1] > 0;
            int reg = Free(owner, CallerSaved, crossesCall) ?? Free(owner, CalleeSaved, false) ?? -1;
            if (reg < 0)
            {
                int victim = -1;
                foreach (int a in active)
                    if ((!crossesCall || Array.IndexOf(CalleeSaved, homes.Register[a]) >= 0)
                        && (victim < 0 || lastUse[a] > lastUse[victim])) victim = a;
                if (victim < 0 || lastUse[victim] <= lastUse[t])
                {
                    homes.Slot[t] = NewSlot(homes, 8);
                    continue;
                }
                reg = homes.Register[victim];
                homes.Register[victim] = -1;
                homes.Slot[victim] = NewSlot(homes, 8);
                active.Remove(victim);
            }
            homes.Register[t] = reg;
            owner[reg] = t;
            active.Add(t);
        }
        return homes;
    }

    private static int? Free(int[] owner, int[] candidates, bool skip)
    {
        if (skip) return null;
        foreach (int r in candidates) if (owner[r] < 0) return r;
        return null;
    }

    private static int NewSlot(TempHomes homes, int bytes)
    {
        int slot = BlockFrame.SpillBase + homes.SpillBytes;
        homes.SpillBytes += bytes;
        return slot;
    }
}
