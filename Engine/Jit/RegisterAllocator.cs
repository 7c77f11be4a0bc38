using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Jit;

/// <summary>Where each temp of a block lives: a host register of its class, a frame slot, or nowhere (never read).</summary>
internal sealed class TempHomes
{
    /// <summary>Host register number (general or xmm, by the temp's class), or -1.</summary>
    public int[] Register = [];
    /// <summary>Offset of the temp's spill slot from the spill area's start (8 bytes, 16 for xmm-class temps), or -1.</summary>
    public int[] Slot = [];
    public int SpillBytes;

    public void Reset(int tempCount)
    {
        if (Register.Length < tempCount)
        {
            Register = new int[Math.Max(tempCount, 2 * Register.Length)];
            Slot = new int[Register.Length];
        }
        Array.Fill(Register, -1, 0, tempCount);
        Array.Fill(Slot, -1, 0, tempCount);
        SpillBytes = 0;
    }
}

/// <summary>
/// Linear scan over the temps of one superblock, in two classes: integers (I1..I64) in general registers, and
/// floats, vectors and I128 in xmm registers. A temp lives from the statement that writes it to its last read;
/// its register is free for the result of the statement that reads it last. A general temp live across a call
/// out of generated code gets a callee-saved register; an xmm one (SysV saves none) a frame slot. When a class
/// runs out, the temp whose last use is furthest away is spilled. Slots are reused once their temp is dead.
/// Scratch registers never allocated: rax, rcx, rdx, r11, xmm14, xmm15 (and rbp, the state; rsp).
/// </summary>
internal sealed class RegisterAllocator
{
    private static readonly int[] CallerSaved = [X64.Rsi, X64.Rdi, X64.R8, X64.R9, X64.R10];
    private static readonly int[] CalleeSaved = [X64.Rbx, X64.R12, X64.R13, X64.R14, X64.R15];
    public const int XmmRegisters = 14;

    private int[] _lastUse = [];
    private int[] _callsBefore = [];
    private readonly int[] _gprOwner = new int[16];
    private readonly int[] _xmmOwner = new int[16];
    private readonly List<int> _active = [];
    /// <summary>Temps living in a frame slot, until their last use frees the slot.</summary>
    private readonly List<int> _spilled = [];
    private readonly Stack<int> _free8 = new(), _free16 = new();

    public TempHomes Homes { get; } = new();
    public ReadOnlySpan<int> LastUse => _lastUse;

    public static bool IsXmmClass(IrType t) => t is IrType.F32 or IrType.F64 or IrType.V128 or IrType.I128;

    /// <param name="callsOut">Whether a statement calls out of generated code, clobbering caller-saved registers.</param>
    public void Allocate(Superblock sb, Func<IrStmt, bool> callsOut)
    {
        var stmts = sb.Statements;
        ComputeLastUses(sb);
        Homes.Reset(sb.TempCount);
        if (_callsBefore.Length < stmts.Length + 2) _callsBefore = new int[stmts.Length * 2 + 2];
        _callsBefore[0] = 0;
        for (int i = 0; i < stmts.Length; i++) _callsBefore[i + 1] = _callsBefore[i] + (callsOut(stmts[i]) ? 1 : 0);
        _callsBefore[stmts.Length + 1] = _callsBefore[stmts.Length];

        Array.Fill(_gprOwner, -1);
        Array.Fill(_xmmOwner, -1);
        _active.Clear();
        _spilled.Clear();
        _free8.Clear();
        _free16.Clear();
        for (int i = 0; i < stmts.Length; i++)
        {
            int t = stmts[i].Dst;
            if (t < 0 || _lastUse[t] < 0) continue;
            Expire(sb, i);
            bool xmm = IsXmmClass(sb.TypeOf(t));
            // Reads at the call statement itself happen before it, so only calls strictly inside count.
            bool crossesCall = _callsBefore[_lastUse[t]] - _callsBefore[i + 1] > 0;
            int reg = xmm ? (crossesCall ? -1 : FreeXmm()) : Free(CallerSaved, crossesCall) ?? Free(CalleeSaved, false) ?? -1;
            if (reg < 0 && !(xmm && crossesCall)) reg = Steal(sb, t, xmm, crossesCall);
            if (reg < 0)
            {
                Spill(t, xmm);
                continue;
            }
            Homes.Register[t] = reg;
            (xmm ? _xmmOwner : _gprOwner)[reg] = t;
            _active.Add(t);
        }
    }

    private void ComputeLastUses(Superblock sb)
    {
        if (_lastUse.Length < sb.TempCount) _lastUse = new int[Math.Max(sb.TempCount, 2 * _lastUse.Length)];
        Array.Fill(_lastUse, -1, 0, sb.TempCount);
        var stmts = sb.Statements;
        for (int i = 0; i < stmts.Length; i++)
        {
            ref readonly var s = ref stmts[i];
            Read(s.A, i);
            Read(s.B, i);
            Read(s.C, i);
            if (s.Args != null) foreach (var v in s.Args) Read(v, i);
        }
        Read(sb.Next, stmts.Length);
    }

    private void Read(IrValue v, int at)
    {
        // Operands a statement kind does not use are default values: Temp 0 but type None.
        if (v.IsTemp && !v.IsNone) _lastUse[v.Temp] = at;
    }

    /// <summary>Frees the registers and slots of temps last read at or before statement <paramref name="i"/>.</summary>
    private void Expire(Superblock sb, int i)
    {
        for (int k = _active.Count - 1; k >= 0; k--)
        {
            int a = _active[k];
            if (_lastUse[a] > i) continue;
            (IsXmmClass(sb.TypeOf(a)) ? _xmmOwner : _gprOwner)[Homes.Register[a]] = -1;
            _active.RemoveAt(k);
        }
        for (int k = _spilled.Count - 1; k >= 0; k--)
        {
            int s = _spilled[k];
            if (_lastUse[s] > i) continue;
            (IsXmmClass(sb.TypeOf(s)) ? _free16 : _free8).Push(Homes.Slot[s]);
            _spilled.RemoveAt(k);
        }
    }

    private int? Free(int[] candidates, bool skip)
    {
        if (skip) return null;
        foreach (int r in candidates) if (_gprOwner[r] < 0) return r;
        return null;
    }

    private int FreeXmm()
    {
        for (int r = 0; r < XmmRegisters; r++) if (_xmmOwner[r] < 0) return r;
        return -1;
    }

    /// <summary>Takes the register of the active temp of the class that is needed last, if later than <paramref name="t"/>'s, spilling it.</summary>
    private int Steal(Superblock sb, int t, bool xmm, bool crossesCall)
    {
        int victim = -1;
        foreach (int a in _active)
        {
            if (IsXmmClass(sb.TypeOf(a)) != xmm) continue;
            if (crossesCall && Array.IndexOf(CalleeSaved, Homes.Register[a]) < 0) continue;
            if (victim < 0 || _lastUse[a] > _lastUse[victim]) victim = a;
        }
        if (victim < 0 || _lastUse[victim] <= _lastUse[t]) return -1;
        int reg = Homes.Register[victim];
        Homes.Register[victim] = -1;
        _active.Remove(victim);
        Spill(victim, xmm, reuse: false);
        return reg;
    }

    /// <summary>
    /// Gives <paramref name="t"/> a slot for its whole life. A freed slot is only safe for a temp whose life starts
    /// now: a victim spilled after the fact has lived since before those slots were freed.
    /// </summary>
    private void Spill(int t, bool xmm, bool reuse = true)
    {
        var free = xmm ? _free16 : _free8;
        int bytes = xmm ? 16 : 8;
        if (!reuse || !free.TryPop(out int slot))
        {
            slot = (Homes.SpillBytes + bytes - 1) / bytes * bytes;
            Homes.SpillBytes = slot + bytes;
        }
        Homes.Slot[t] = slot;
        _spilled.Add(t);
    }
}
