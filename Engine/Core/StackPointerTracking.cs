using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>
/// The helpers a tool has called as the guest's stack pointer moves: <see cref="NewStack"/> and <see cref="DieStack"/>
/// with (address, length) of the stack memory that came to life or died, <see cref="UnknownMove"/> with (old RSP,
/// new RSP) for a move by an amount known only at run time; and, for tools that want VEX's ABI hint,
/// <see cref="RedZoneDies"/> with (address, length) of the red zone below the stack pointer after a call or return,
/// which neither the callee nor the caller may rely on (memcheck makes it undefined).
/// </summary>
public sealed record StackEvents(IrHelper NewStack, IrHelper DieStack, IrHelper UnknownMove, IrHelper? RedZoneDies = null);

/// <summary>
/// Valgrind's stack-pointer tracking (the core's SP-update pass, run after the tool's instrumentation): writes of RSP
/// tell the tool which stack memory came to life (memcheck: undefined; massif: stack bytes in use) or died. Both ranges
/// sit <see cref="RedZone"/> bytes below the stack pointers, since the ABI lets code use that much below RSP. Moves by a
/// constant (push, pop, call, ret, sub/add rsp) are announced with constant sizes, and as in Valgrind, whose optimiser
/// drops an RSP write that a later one overwrites before any memory access, successive such moves are announced as one
/// just before the next memory access, dirty helper, side exit or the block's end. A push stores below RSP after moving
/// it in Valgrind's IR (before, in ours), so its move is announced at once. Any other write compares old and new RSP at
/// run time, and a move of more than <see cref="MaxStackFrame"/> bytes is a switch to another stack.
/// </summary>
public sealed class StackPointerTracking(StackEvents events)
{
    /// <summary>VG_STACK_REDZONE_SZB on amd64.</summary>
    public const int RedZone = 128;
    /// <summary>Valgrind's default --max-stackframe.</summary>
    public const long MaxStackFrame = 2_000_000;

    private const int Rsp = GuestState.OffRsp;

    public Superblock Instrument(Superblock sb)
    {
        var pass = new Pass(events, sb);
        Span<IrStmt> statements = sb.Statements;
        for (int i = 0; i < statements.Length; i++)
        {
            if (statements[i].Kind == StmtKind.IMark) pass.Pushes = Pushes(statements[(i + 1)..]);
            pass.Add(statements[i]);
        }
        return pass.End(sb);
    }

    /// <summary>Whether the guest instruction starting here stores at the address it then sets RSP to (push, call).</summary>
    private static bool Pushes(ReadOnlySpan<IrStmt> instruction)
    {
        var stored = new HashSet<int>();
        foreach (ref readonly var s in instruction)
        {
            if (s.Kind == StmtKind.IMark) break;
            if (s.Kind == StmtKind.Store && s.A.IsTemp) stored.Add(s.A.Temp);
            if (s.Kind == StmtKind.Put && s.Offset == Rsp && s.A.IsTemp && stored.Contains(s.A.Temp)) return true;
        }
        return false;
    }

    /// <summary>
    /// One block's pass. Offsets are from RSP as it was at the block's start (or at the last move by an unknown amount):
    /// temps known to hold RSP plus a constant, RSP itself now, and RSP as last announced.
    /// </summary>
    private sealed class Pass
    {
        private readonly StackEvents _events;
        private readonly Superblock _output;
        private readonly Dictionary<int, long> _offsets = [];
        private long _announced, _current;
        /// <summary>The temp RSP was last set to by a move not yet announced.</summary>
        private IrValue _currentValue;

        /// <summary>The current guest instruction is a push: its store counts as made after its move of RSP.</summary>
        public bool Pushes { get; set; }

        public Pass(StackEvents events, Superblock sb)
        {
            _events = events;
            _output = new Superblock(sb.GuestAddress);
            for (int t = 0; t < sb.TempCount; t++) _output.NewTemp(sb.TypeOf(t));
            _output.Extents.AddRange(sb.Extents);
        }

        public void Add(in IrStmt s)
        {
            if (s.Kind == StmtKind.Put && s.Offset == Rsp && s.A.Type == IrType.I64)
            {
                if (s.A.IsTemp && _offsets.TryGetValue(s.A.Temp, out long offset))
                {
                    (_current, _currentValue) = (offset, s.A);
                    _output.Add(s);
                    if (Pushes) Announce();
                }
                else
                {
                    Announce();
                    _output.Call(_events.UnknownMove, _output.Get(Rsp, IrType.I64), s.A);
                    _output.Add(s);
                    Restart(s.A);
                }
                return;
            }
            if (s.Kind == StmtKind.Put && s.Offset < Rsp + 8 && Rsp < s.Offset + s.A.Type.Bytes())
            {
                // A partial write (mov esp, eax): compare the whole register before and after.
                Announce();
                var before = _output.Get(Rsp, IrType.I64);
                _output.Add(s);
                _output.Call(_events.UnknownMove, before, _output.Get(Rsp, IrType.I64));
                Restart(IrValue.None);
                return;
            }
            if (s.Kind is StmtKind.Load or StmtKind.Exit || s.Kind == StmtKind.Store && !Pushes || s.Kind == StmtKind.Call && s.Helper?.IsPure != true)
                Announce();
            _output.Add(s);
            Track(s);
        }

        public Superblock End(Superblock sb)
        {
            Announce();
            if (_events.RedZoneDies is { } hint && sb.NextKind is JumpKind.Call or JumpKind.Ret)
                _output.Call(hint, Below(_output.Get(Rsp, IrType.I64), RedZone), IrValue.U64(RedZone));
            _output.Next = sb.Next;
            _output.NextKind = sb.NextKind;
            return _output;
        }

        /// <summary>Follows GET(RSP) through additions and subtractions of constants.</summary>
        private void Track(in IrStmt s)
        {
            if (s.Kind == StmtKind.Get && s.Offset == Rsp && s.Type == IrType.I64)
                _offsets[s.Dst] = _current;
            else if (s.Kind == StmtKind.Binop && s.Op is IrOp.Add or IrOp.Sub && s.Type == IrType.I64
                     && s.A.IsTemp && s.B.IsConst && _offsets.TryGetValue(s.A.Temp, out long from))
                _offsets[s.Dst] = s.Op == IrOp.Add ? from + (long)s.B.Const : from - (long)s.B.Const;
        }

        /// <summary>Tells the tool about the stack that grew or died since the last announcement.</summary>
        private void Announce()
        {
            long delta = _current - _announced;
            if (delta < 0)
                _output.Call(_events.NewStack, Below(_currentValue, RedZone), IrValue.U64((ulong)-delta));
            else if (delta > 0)
                _output.Call(_events.DieStack, Below(_currentValue, delta + RedZone), IrValue.U64((ulong)delta));
            _announced = _current;
        }

        /// <summary>After a move by an unknown amount, offsets start again from the new RSP (in <paramref name="value"/> when a temp).</summary>
        private void Restart(IrValue value)
        {
            _offsets.Clear();
            _announced = _current = 0;
            _currentValue = value;
            if (value.IsTemp) _offsets[value.Temp] = 0;
        }

        private IrValue Below(IrValue sp, long bytes) => _output.Binop(IrOp.Sub, sp, IrValue.U64((ulong)bytes));
    }
}
