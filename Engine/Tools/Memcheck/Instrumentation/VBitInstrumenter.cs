using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// Memcheck's definedness instrumentation: every value gets a shadow holding its V bits (1 = undefined),
/// propagated by memcheck's rules (<see cref="OperationRules"/>); guest registers are shadowed at
/// <see cref="GuestState.ShadowOffset"/>, memory through <see cref="VBitHelpers"/>; and checks are inserted where
/// memcheck reports: side-exit guards, load/store addresses, GetI/PutI indexes, vector shift amounts and the
/// block's computed target. After a check the checked temp counts as defined, so one value is reported once.
/// With origins tracked (the shadow has <see cref="ShadowMemory.Origins"/>) every value also carries its origin tag
/// (<see cref="OriginPropagation"/>), and each report names the tag of the value it tested.
/// </summary>
/// <param name="shadow">The shadow memory the loads' and stores' V bits live in (its fixed-layout primary map).</param>
/// <param name="selfShadowing">
/// Helpers that set the V bits of their own effects (the tool's function replacements): their result counts as
/// defined and their declared state and memory writes get no shadow from their inputs.
/// </param>
public sealed class VBitInstrumenter(ShadowMemory shadow, ExpensiveChecks expensive = ExpensiveChecks.Auto,
    IEnumerable<IrHelper>? selfShadowing = null)
{
    private const int ShadowOffset = GuestState.ShadowOffset;

    /// <summary>
    /// Run first, as VEX optimises before instrumenting: flag thunks become direct comparisons, which the exact
    /// equality rule then sees (a tested partly defined byte with a defined 1 bit is defined to be nonzero).
    /// </summary>
    private static readonly Optimiser PreOptimiser = new() { GuestSpecialisation = FlagSpecialiser.Rewrite };

    private readonly HashSet<IrHelper> _selfShadowing = [.. selfShadowing ?? []];

    public Superblock Instrument(Superblock input)
    {
        var sb = PreOptimiser.Run(input);
        // Shadow computations and checks make the block several times its input.
        var output = new Superblock(sb.GuestAddress, 4 * sb.Count, 2 * sb.TempCount + 64);
        var instrumented = new Pass(sb, output, expensive, _selfShadowing, IrValue.U64((ulong)shadow.Primary), shadow.Origins).Run();
        // An unrolled loop is a block of the optimiser's making, which nothing reads again.
        if (sb != input) sb.Release();
        return instrumented;
    }

    /// <summary>One block's instrumentation: the original temps keep their numbers in the output.</summary>
    private sealed class Pass
    {
        private readonly Superblock _in, _out;
        private readonly ShadowOps _ops;
        private readonly OperationRules _rules;
        private readonly HashSet<IrHelper> _selfShadowing;
        private readonly IrValue[] _shadow;
        private readonly IrValue _primary;
        private readonly OriginPropagation? _origins;
        private ulong _rip;

        public Pass(Superblock input, Superblock output, ExpensiveChecks expensive, HashSet<IrHelper> selfShadowing, IrValue primary,
            OriginMemory? origins)
        {
            _primary = primary;
            _in = input;
            _out = output;
            for (int t = 0; t < input.TempCount; t++) output.NewTemp(input.TypeOf(t));
            output.Extents.AddRange(input.Extents);
            _ops = new ShadowOps(output);
            _rules = new OperationRules(_ops, new UsageAnalysis(input), expensive);
            _selfShadowing = selfShadowing;
            _shadow = new IrValue[input.TempCount];
            _rip = input.GuestAddress;
            if (origins is not null) _origins = new OriginPropagation(output, input.TempCount, origins);
        }

        public Superblock Run()
        {
            foreach (ref readonly var s in _in.Statements)
            {
                if (s.Kind == StmtKind.Call)
                {
                    InstrumentCall(s);
                    continue;
                }
                _origins?.Before(s);
                if (s.Kind == StmtKind.Load)
                {
                    // The V-bit load right before the load itself, where the backend fuses the two.
                    var vbits = LoadV(s);
                    _out.Add(s);
                    _shadow[s.Dst] = Narrow(vbits, ShadowOps.ShadowType(s.Type));
                    continue;
                }
                Instrument(s);
                _out.Add(s);
            }
            if (_in.Next.IsTemp) Check(_in.Next, _in.Next.Type.Bytes());
            _out.Next = _in.Next;
            _out.NextKind = _in.NextKind;
            return _out;
        }

        /// <summary>The V bits of an operand: a constant is defined.</summary>
        private IrValue V(IrValue v) => v.IsTemp ? _shadow[v.Temp] : ShadowOps.Defined(ShadowOps.ShadowType(v.Type));

        private void Instrument(in IrStmt s)
        {
            switch (s.Kind)
            {
                case StmtKind.IMark:
                    _rip = s.Addr;
                    break;
                case StmtKind.Get:
                    _shadow[s.Dst] = _out.Get(s.Offset + ShadowOffset, ShadowOps.ShadowType(s.Type));
                    break;
                case StmtKind.Put:
                    _out.Put(s.Offset + ShadowOffset, V(s.A));
                    break;
                case StmtKind.GetI:
                    Check(s.A, s.A.Type.Bytes());
                    _shadow[s.Dst] = _out.GetI(s.Offset + ShadowOffset, ShadowOps.ShadowType(s.Type), s.Count, s.A, s.Bias);
                    break;
                case StmtKind.PutI:
                    Check(s.A, s.A.Type.Bytes());
                    _out.PutI(s.Offset + ShadowOffset, s.Count, s.A, s.Bias, V(s.B));
                    break;
                case StmtKind.Store:
                    StoreV(s.A, V(s.B), s.ChecksAccess);
                    break;
                case StmtKind.Unop:
                    _shadow[s.Dst] = AllDefined(s.A) ? DefinedResult(s) : _rules.Unop(s, V(s.A));
                    break;
                case StmtKind.Binop:
                    if (s.Op is IrOp.VShl or IrOp.VShr or IrOp.VSar) Check(s.B, s.B.Type.Bytes());
                    _shadow[s.Dst] = AllDefined(s.A, s.B) ? DefinedResult(s) : _rules.Binop(s, V(s.A), V(s.B));
                    break;
                case StmtKind.Triop:
                    _shadow[s.Dst] = AllDefined(s.A, s.B, s.C) ? DefinedResult(s) : _rules.Triop(s, V(s.A), V(s.B), V(s.C));
                    break;
                case StmtKind.Ite:
                    _shadow[s.Dst] = AllDefined(s.A, s.B, s.C) ? DefinedResult(s) : _rules.Ite(s, V(s.A), V(s.B), V(s.C));
                    break;
                case StmtKind.Exit:
                    Check(s.A, 0);
                    break;
                default:
                    throw new NotSupportedException($"no V-bit rule for {s.Kind}");
            }
        }

        private bool AllDefined(IrValue a) => ShadowOps.IsDefined(V(a));
        private bool AllDefined(IrValue a, IrValue b) => AllDefined(a) && AllDefined(b);
        private bool AllDefined(IrValue a, IrValue b, IrValue c) => AllDefined(a) && AllDefined(b) && (c.IsNone || AllDefined(c));

        private static IrValue DefinedResult(in IrStmt s) => ShadowOps.Defined(ShadowOps.ShadowType(s.Type));

        /// <summary>
        /// Report if <paramref name="value"/> is undefined: a condition (size 0) or a value of <paramref name="size"/>
        /// bytes; from then on the temp counts as defined.
        /// </summary>
        private void Check(IrValue value, int size)
        {
            var v = V(value);
            if (ShadowOps.IsDefined(v)) return;
            var undefined = _ops.PCast(v, IrType.I1);
            var origin = _origins?.Of(value) ?? IrValue.U64(OriginTags.None);
            if (size == 0) _out.CallGuarded(undefined, VBitHelpers.ReportCondition, IrValue.U64(_rip), origin);
            else _out.CallGuarded(undefined, VBitHelpers.ReportValue, IrValue.U64((ulong)size), IrValue.U64(_rip), origin);
            _shadow[value.Temp] = ShadowOps.Defined(v.Type);
        }

        /// <summary>
        /// An undefined address is reported (before the access, as memcheck does; once for the pieces of a wider access),
        /// then its V bits: the 16-byte shadow whole, narrower ones as the helper's I64 for <see cref="Narrow"/> to bring
        /// to the shadow type after the load. A vector piece of a wider access reads its quadwords with their offsets in
        /// the whole access, which --partial-loads-ok judges as one.
        /// </summary>
        private IrValue LoadV(in IrStmt load)
        {
            var (type, address) = (load.Type, load.A);
            if (load.ChecksAccess) Check(address, 8);
            if (type.Bytes() == 16)
            {
                var bytes = IrValue.U64((ulong)load.AccessBytes);
                ulong offset = (ulong)load.Bias;
                var lo = _out.Call(VBitHelpers.LoadVQuadword, address, IrValue.U64(offset), _primary, bytes);
                var hi = _out.Call(VBitHelpers.LoadVQuadword, _out.Binop(IrOp.Add, address, IrValue.U64(8)), IrValue.U64(offset + 8), _primary, bytes);
                return _out.Binop(IrOp.Concat, ShadowOps.ShadowType(type), hi, lo);
            }
            return _out.Call(VBitHelpers.LoadOfSize(type.Bytes()), address, _primary);
        }

        private IrValue Narrow(IrValue vbits, IrType shadowType) =>
            vbits.Type == shadowType ? vbits : _out.Unop(IrOp.Truncate, shadowType, vbits);

        /// <summary>The V bits of a store; its address is checked unless another piece of the access checks it.</summary>
        private void StoreV(IrValue address, IrValue vbits, bool checksAddress)
        {
            if (checksAddress) Check(address, 8);
            int bytes = vbits.Type.Bytes();
            if (bytes == 16)
            {
                var lo = _out.Unop(IrOp.Truncate, IrType.I64, vbits);
                var hi = _out.Unop(IrOp.HighHalf, IrType.I64, vbits);
                _out.Call(VBitHelpers.StoreV8, address, lo, _primary);
                _out.Call(VBitHelpers.StoreV8, _out.Binop(IrOp.Add, address, IrValue.U64(8)), hi, _primary);
                return;
            }
            var wide = bytes == 8 ? vbits : _out.Unop(IrOp.ZeroExtend, IrType.I64, vbits);
            _out.Call(VBitHelpers.StoreOfSize(bytes), address, wide, _primary);
        }

        /// <summary>
        /// Helpers by their declared inputs: a call's result (and a dirty call's state and memory writes) is undefined
        /// when any input is. The flag helpers' thunk operation and auxiliary operand are left out, as VEX marks them.
        /// </summary>
        private void InstrumentCall(in IrStmt s)
        {
            var helper = s.Helper!;
            if (!s.A.IsNone) Check(s.A, 0);
            if (_selfShadowing.Contains(helper))
            {
                if (s.Dst >= 0)
                {
                    _shadow[s.Dst] = ShadowOps.Defined(IrType.I64);
                    _origins?.NoOrigin(s.Dst);
                }
                _out.Add(s);
                return;
            }
            var inputs = CallInputs(s);
            var origin = _origins?.CallInputs(s, CheckedArguments(s));
            if (s.Dst >= 0) _shadow[s.Dst] = _ops.PCast(inputs, IrType.I64);
            _out.Add(s);
            if (origin is { } tag) _origins!.CallOutputs(s, tag);
            if (helper.IsPure) return;
            foreach (var (offset, size) in helper.StateWrites)
                foreach (var (at, type) in Pieces(offset, size))
                    _out.Put(at + ShadowOffset, _ops.PCast(inputs, type));
            if (helper.MemoryWrite is (int addrArg, int bytes))
                _out.Call(VBitHelpers.SetRange, s.Args![addrArg], IrValue.U64((ulong)bytes), _ops.PCast(inputs, IrType.I64));
        }

        /// <summary>Whether any input of a call is undefined, as an I1 shadow computed before the call runs.</summary>
        private IrValue CallInputs(in IrStmt s)
        {
            var helper = s.Helper!;
            IrValue any = ShadowOps.Defined(IrType.I1);
            foreach (var argument in CheckedArguments(s)) any = _ops.UifU(any, _ops.PCast(V(argument), IrType.I1));
            foreach (var (offset, size) in helper.StateReads)
                foreach (var (at, type) in Pieces(offset, size))
                    any = _ops.UifU(any, _ops.PCast(_out.Get(at + ShadowOffset, type), IrType.I1));
            if (helper.MemoryRead is (int addrArg, int bytes))
            {
                var range = _out.Call(VBitHelpers.RangeUndefined, s.Args![addrArg], IrValue.U64((ulong)bytes));
                any = _ops.UifU(any, _ops.PCast(range, IrType.I1));
            }
            return any;
        }

        /// <summary>The arguments whose definedness reaches a call's outputs: the flag helpers' thunk operands only.</summary>
        private static IEnumerable<IrValue> CheckedArguments(IrStmt s)
        {
            var args = s.Args ?? [];
            bool flags = s.Helper == FlagHelpers.RflagsAll || FlagHelpers.ConditionOf(s.Helper!) is not null;
            return flags ? args.Where((_, i) => i is 1 or 2) : args;
        }

        /// <summary>A state range as 8-, 4-, 2- and 1-byte pieces.</summary>
        private static IEnumerable<(int Offset, IrType Type)> Pieces(int offset, int size)
        {
            int end = offset + size;
            foreach (int piece in (int[])[8, 4, 2, 1])
                for (; offset + piece <= end; offset += piece) yield return (offset, IrTypes.IntOfBytes(piece));
        }
    }
}
