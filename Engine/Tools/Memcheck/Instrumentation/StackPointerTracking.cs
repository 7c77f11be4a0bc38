using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// Valgrind's stack-pointer tracking (the core's SP-update pass, run after the tool's instrumentation): every write
/// of RSP tells the tool which stack memory came to life (memcheck: undefined) or died (noaccess). Both ranges sit
/// <see cref="RedZone"/> bytes below the stack pointers, since the ABI lets code use that much below RSP. Moves by
/// a constant (push, pop, call, ret, sub/add rsp) call with constant sizes; any other write compares old and new
/// RSP at run time, and a move of more than <see cref="MaxStackFrame"/> bytes is a switch to another stack.
/// A call or return also makes the whole red zone below its new RSP undefined (VEX's ABI hint: neither the callee
/// nor the caller may rely on what lies there, so stale locals of returned frames are undefined); at a call that
/// covers the memory the call's own push brought to life, which is then not announced separately.
/// With origins, stack memory is created by the instruction that moved RSP down, and the red zone of a call or return
/// by where it jumps: a leaf function's uninitialised local is "created by a stack allocation" at its entry.
/// </summary>
/// <param name="stackOrigin">The origin tag of stack memory allocated at a code address; null without origins.</param>
public sealed class StackPointerTracking(Func<ulong, uint>? stackOrigin = null)
{
    /// <summary>VG_STACK_REDZONE_SZB on amd64.</summary>
    public const int RedZone = 128;
    /// <summary>Valgrind's default --max-stackframe.</summary>
    public const long MaxStackFrame = 2_000_000;

    private const int Rsp = GuestState.OffRsp;

    public Superblock Instrument(Superblock sb)
    {
        var output = new Superblock(sb.GuestAddress);
        for (int t = 0; t < sb.TempCount; t++) output.NewTemp(sb.TypeOf(t));
        output.Extents.AddRange(sb.Extents);
        // Temps known to hold the current RSP plus a constant.
        var offsets = new Dictionary<int, long>();
        int lastWrite = sb.NextKind is JumpKind.Call or JumpKind.Ret ? LastStackPointerWrite(sb) : -1;
        long released = 0;
        ulong rip = sb.GuestAddress;
        for (int i = 0; i < sb.Count; i++)
        {
            ref readonly var s = ref sb[i];
            if (s.Kind == StmtKind.IMark) rip = s.Addr;
            if (s.Kind == StmtKind.Put && s.Offset == Rsp && s.A.Type == IrType.I64)
            {
                if (i == lastWrite && sb.NextKind == JumpKind.Ret && Delta(offsets, s.A) is > 0 and var popped && OnlyExitFollows(sb, i))
                {
                    // The return's release and its red zone are one call at the end, one transition out of the block.
                    released = popped;
                    output.Add(s);
                    continue;
                }
                MoveKnown(output, offsets, s.A, rip, coveredByCall: i == lastWrite && sb.NextKind == JumpKind.Call);
                output.Add(s);
                continue;
            }
            if (s.Kind == StmtKind.Put && s.Offset < Rsp + 8 && Rsp < s.Offset + s.A.Type.Bytes())
            {
                // A partial write (mov esp, eax): compare the whole register before and after.
                var before = output.Get(Rsp, IrType.I64);
                output.Add(s);
                output.Call(StackHelpers.UnknownMove, before, output.Get(Rsp, IrType.I64), Origin(rip));
                offsets.Clear();
                continue;
            }
            output.Add(s);
            Track(offsets, s);
        }
        if (released > 0)
            output.Call(StackHelpers.Return, output.Get(Rsp, IrType.I64), IrValue.U64((ulong)released), sb.Next);
        else if (sb.NextKind is JumpKind.Call or JumpKind.Ret)
            MarkRedZone(output, sb.Next);
        output.Next = sb.Next;
        output.NextKind = sb.NextKind;
        return output;
    }

    private IrValue Origin(ulong codeAddress) => IrValue.U64(stackOrigin?.Invoke(codeAddress) ?? 0);

    private static int LastStackPointerWrite(Superblock sb)
    {
        for (int i = sb.Count - 1; i >= 0; i--)
            if (sb[i].Kind == StmtKind.Put && sb[i].Offset < Rsp + 8 && Rsp < sb[i].Offset + sb[i].A.Type.Bytes()) return i;
        return -1;
    }

    private static long? Delta(Dictionary<int, long> offsets, IrValue value) =>
        value.IsTemp && offsets.TryGetValue(value.Temp, out long delta) ? delta : null;

    /// <summary>Whether nothing after statement <paramref name="index"/> touches memory, calls out or leaves early.</summary>
    private static bool OnlyExitFollows(Superblock sb, int index)
    {
        for (int i = index + 1; i < sb.Count; i++)
            if (sb[i].Kind is StmtKind.Load or StmtKind.Store or StmtKind.Call or StmtKind.Exit or StmtKind.Put) return false;
        return true;
    }

    /// <summary>Follows GET(RSP) through additions and subtractions of constants.</summary>
    private static void Track(Dictionary<int, long> offsets, in IrStmt s)
    {
        if (s.Kind == StmtKind.Get && s.Offset == Rsp && s.Type == IrType.I64)
            offsets[s.Dst] = 0;
        else if (s.Kind == StmtKind.Binop && s.Op is IrOp.Add or IrOp.Sub && s.Type == IrType.I64
                 && s.A.IsTemp && s.B.IsConst && offsets.TryGetValue(s.A.Temp, out long from))
            offsets[s.Dst] = s.Op == IrOp.Add ? from + (long)s.B.Const : from - (long)s.B.Const;
    }

    /// <summary>
    /// Before RSP = <paramref name="value"/>: announce the stack that grows (unless the call's red zone, marked at
    /// the block's end, covers it) or dies.
    /// </summary>
    private void MoveKnown(Superblock output, Dictionary<int, long> offsets, IrValue value, ulong rip, bool coveredByCall)
    {
        if (Delta(offsets, value) is long delta)
        {
            if (delta < 0 && !(coveredByCall && delta >= -RedZone))
                output.Call(StackHelpers.NewStack, Below(output, value, RedZone), IrValue.U64((ulong)-delta), Origin(rip));
            else if (delta > 0)
                output.Call(StackHelpers.DieStack, Below(output, value, delta + RedZone), IrValue.U64((ulong)delta));
        }
        else
        {
            output.Call(StackHelpers.UnknownMove, output.Get(Rsp, IrType.I64), value, Origin(rip));
        }
        offsets.Clear();
        if (value.IsTemp) offsets[value.Temp] = 0;
    }

    /// <summary>The red zone below the RSP a call or return leaves is undefined; its origin is where it jumps.</summary>
    private void MarkRedZone(Superblock output, IrValue target)
    {
        var redZone = Below(output, output.Get(Rsp, IrType.I64), RedZone);
        // Without origins the tag is none whatever the target.
        if (stackOrigin is null || target.IsConst)
            output.Call(StackHelpers.NewStack, redZone, IrValue.U64(RedZone), Origin(target.Const));
        else
            output.Call(StackHelpers.JumpRedZone, redZone, target);
    }

    private static IrValue Below(Superblock output, IrValue sp, long bytes) =>
        output.Binop(IrOp.Sub, sp, IrValue.U64((ulong)bytes));
}
