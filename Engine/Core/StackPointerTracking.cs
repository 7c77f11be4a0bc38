using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>
/// The helpers a tool has called as the guest's stack pointer moves: <see cref="NewStack"/> and <see cref="DieStack"/>
/// with (address, length) of the stack memory that came to life or died, <see cref="UnknownMove"/> with (old RSP,
/// new RSP) for a move by an amount known only at run time; and, for tools that want VEX's ABI hint
/// (<see cref="RedZoneDies"/>), the red zone at every call and return.
/// </summary>
public sealed record StackEvents(IrHelper NewStack, IrHelper DieStack, IrHelper UnknownMove)
{
    /// <summary>
    /// When set, <see cref="NewStack"/> and <see cref="UnknownMove"/> take a third argument: what this gives the code
    /// address of the instruction that moved RSP, asked as the block is translated (as Valgrind's core hands tools an
    /// execution context with new stack: memcheck's origin tag).
    /// </summary>
    public Func<ulong, ulong>? CreatedBy { get; init; }

    /// <summary>
    /// VEX's ABI hint: after every call and return the red zone below the new RSP holds nothing the program may rely
    /// on, so it is announced as new stack (memcheck: undefined), with <see cref="CreatedBy"/> created by where the jump
    /// goes. A call's own push into that red zone is then not announced.
    /// </summary>
    public bool RedZoneDies { get; init; }

    /// <summary>
    /// With <see cref="RedZoneDies"/> and <see cref="CreatedBy"/>, what <see cref="CreatedBy"/> gives, asked at run time
    /// for a jump whose target is known only then (a return, an indirect call): a pure helper of the code address.
    /// </summary>
    public IrHelper? CreatorAt { get; init; }
}

/// <summary>
/// Valgrind's stack-pointer tracking (the core's SP-update pass, run after the tool's instrumentation): writes of RSP
/// tell the tool which stack memory came to life (memcheck: undefined; massif: stack bytes in use) or died. Both ranges
/// sit <see cref="RedZone"/> bytes below the stack pointers, since the ABI lets code use that much below RSP. Moves by a
/// constant (push, pop, call, ret, sub/add rsp) are announced with constant sizes, and as in Valgrind, whose optimiser
/// drops an RSP write that a later one overwrites before any memory access, successive such moves are announced as one
/// just before the next memory access, dirty helper, side exit or the block's end (a push moves RSP before it stores,
/// in both IRs, so a move just before it merges into its own). Any other write compares old and new RSP at
/// run time, and a move of more than <see cref="MaxStackFrame"/> bytes is a switch to another stack. An announced move
/// was made by the instruction of its last RSP write, the one Valgrind's optimised IR keeps.
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
        var statements = sb.Statements;
        int callPush = events.RedZoneDies && sb.NextKind == JumpKind.Call ? LastWriteOfRsp(statements) : -1;
        for (int i = 0; i < statements.Length; i++) pass.Add(statements[i], coveredByCall: i == callPush);
        return pass.End(sb);
    }

    private static int LastWriteOfRsp(ReadOnlySpan<IrStmt> statements)
    {
        for (int i = statements.Length - 1; i >= 0; i--)
            if (statements[i].Kind == StmtKind.Put && statements[i].Offset == Rsp) return i;
        return -1;
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
        /// <summary>The temp RSP was last set to by a move not yet announced, and the instruction that set it.</summary>
        private IrValue _currentValue;
        private ulong _movedAt;
        /// <summary>The guest instruction being passed.</summary>
        private ulong _rip;
        /// <summary>
        /// RSP was last set by a call's push: the block's red zone will cover the new stack below the new RSP, so only
        /// what lies above it is announced (a call after sub rsp, merged with it). After the push only its store runs,
        /// at RSP, and the store's instrumentation.
        /// </summary>
        private bool _coveredByCall;

        public Pass(StackEvents events, Superblock sb)
        {
            _events = events;
            _output = new Superblock(sb.GuestAddress, sb.Count + 64, sb.TempCount + 64);
            for (int t = 0; t < sb.TempCount; t++) _output.NewTemp(sb.TypeOf(t));
            _output.Extents.AddRange(sb.Extents);
        }

        public void Add(in IrStmt s, bool coveredByCall)
        {
            if (s.Kind == StmtKind.IMark) _rip = s.Addr;
            if (s.Kind == StmtKind.Put && s.Offset == Rsp && s.A.Type == IrType.I64)
            {
                if (s.A.IsTemp && _offsets.TryGetValue(s.A.Temp, out long offset))
                {
                    (_current, _currentValue, _movedAt, _coveredByCall) = (offset, s.A, _rip, coveredByCall);
                    _output.Add(s);
                }
                else
                {
                    Announce();
                    _output.Call(_events.UnknownMove, WithCreator([_output.Get(Rsp, IrType.I64), s.A], _rip));
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
                _output.Call(_events.UnknownMove, WithCreator([before, _output.Get(Rsp, IrType.I64)], _rip));
                Restart(IrValue.None);
                return;
            }
            if (s.Kind is StmtKind.Load or StmtKind.Store or StmtKind.Exit || s.Kind == StmtKind.Call && s.Helper?.IsPure != true)
                Announce();
            _output.Add(s);
            Track(s);
        }

        public Superblock End(Superblock sb)
        {
            Announce();
            if (_events.RedZoneDies && sb.NextKind is (JumpKind.Call or JumpKind.Ret)) KillRedZone(sb.Next);
            _output.Next = sb.Next;
            _output.NextKind = sb.NextKind;
            return _output;
        }

        /// <summary>The red zone below RSP as new stack, created (for a tool that asks) by the code at the target.</summary>
        private void KillRedZone(IrValue target)
        {
            IrValue redZone = Below(_output.Get(Rsp, IrType.I64), RedZone), length = IrValue.U64(RedZone);
            if (_events.CreatedBy is not { } creator)
            {
                _output.Call(_events.NewStack, redZone, length);
                return;
            }
            var creatorAt = _events.CreatorAt
                ?? throw new InvalidOperationException("a tool naming stack creators needs CreatorAt for returns");
            _output.Call(_events.NewStack, redZone, length, target.IsConst ? IrValue.U64(creator(target.Const)) : _output.Call(creatorAt, target));
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
            if (delta < 0 && _coveredByCall)
            {
                if (-delta > RedZone)
                    _output.Call(_events.NewStack, WithCreator([_currentValue, IrValue.U64((ulong)(-delta - RedZone))], _movedAt));
            }
            else if (delta < 0)
                _output.Call(_events.NewStack, WithCreator([Below(_currentValue, RedZone), IrValue.U64((ulong)-delta)], _movedAt));
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

        /// <summary>The arguments, and what <see cref="StackEvents.CreatedBy"/> gives the instruction when the tool asks for it.</summary>
        private IrValue[] WithCreator(IrValue[] arguments, ulong instruction) =>
            _events.CreatedBy is { } creator ? [.. arguments, IrValue.U64(creator(instruction))] : arguments;

        private IrValue Below(IrValue sp, long bytes) => _output.Binop(IrOp.Sub, sp, IrValue.U64((ulong)bytes));
    }
}
