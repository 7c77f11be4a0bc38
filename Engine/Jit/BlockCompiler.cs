using System.Diagnostics;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Jit.X64;

namespace Memcheck.Engine.Jit;

/// <summary>
/// Translates a superblock to host x86-64 in the context's code cache. Blocks keep the state pointer in rbp,
/// live in the frame the entry stub sets up (<see cref="BlockFrame"/>), and return the next guest RIP; see
/// <see cref="CompiledBlock"/> for what they leave in the state. One compiler is reused for every block: it keeps
/// its buffers between blocks, so translating allocates little besides the block's own record.
/// </summary>
public sealed class BlockCompiler
{
    private readonly BlockEmitter _emitter = new();

    public CompiledBlock Compile(Superblock sb, BackendContext ctx)
    {
        var clock = Stopwatch.StartNew();
        var block = _emitter.Emit(sb, ctx);
        block.CompileTime = clock.Elapsed;
        return block;
    }
}

/// <summary>
/// Lowers one superblock, statement by statement, with temps in the homes the <see cref="RegisterAllocator"/>
/// gives them. Scratch registers: rax (addresses of guest accesses, results on their way to a slot), rcx, rdx and
/// r11 (check routines, shifts, division), xmm14 and xmm15. Code a block rarely runs (taken side exits, faults,
/// slow paths) goes after its straight-line code.
/// </summary>
internal sealed unsafe partial class BlockEmitter
{
    private const int StateReg = BlockFrame.StateRegister;
    private const int XA = 14, XB = 15;

    private readonly HostAssembler _a = new();
    private readonly RegisterAllocator _allocator = new();
    private readonly List<OutOfLine> _outOfLine = [];
    private readonly List<(int Offset, ulong Guest)> _imarks = [];
    private readonly List<(int Site, int Unchained, ulong Target)> _chainSites = [];
    private readonly List<(int Label, ulong Lo, ulong Hi)> _constants = [];

    private Superblock _sb = null!;
    private BackendContext _ctx = null!;
    private SharedStubs _shared = null!;
    private AccessRoutines _routines = null!;
    private TempHomes _homes = null!;
    private int _extra;
    /// <summary>Where the block's code after the budget check starts: forward jumps enter there.</summary>
    private int _bodyOffset;
    private ulong _imark;
    /// <summary>IMarks passed so far: each exit adds them to state->InstrCount, as the interpreter counts.</summary>
    private int _instructions;
    /// <summary>Index of the statement being lowered (out-of-line code refers back to it).</summary>
    private int _statement;

    public CompiledBlock Emit(Superblock sb, BackendContext ctx)
    {
        var cache = ctx.Cache;
        _sb = sb;
        _ctx = ctx;
        _shared = cache.Stubs;
        _routines = ctx.Routines();
        _allocator.Allocate(sb, InlineForms.CallsOut);
        _homes = _allocator.Homes;
        _extra = BlockFrame.Extra(_homes.SpillBytes);
        _imark = sb.GuestAddress;
        _instructions = 0;
        _outOfLine.Clear();
        _imarks.Clear();
        _chainSites.Clear();
        _constants.Clear();
        _a.Reset((ulong)cache.Top);

        BudgetCheck();
        _bodyOffset = _a.Length;
        if (_extra > 0) I(Instruction.Create(Code.Sub_rm64_imm32, Register.RSP, _extra));
        var stmts = sb.Statements;
        for (int i = 0; i < stmts.Length; i++)
        {
            _statement = i;
            if (FusedExitDistance(stmts, i) is > 0 and var distance)
            {
                BranchOnCompare(stmts[i], stmts[i + distance], negated: distance == 2);
                i += distance;
            }
            else if (IsFusedGuard(stmts, i))
            {
                CallOnCompare(stmts[i], i + 1);
                i++;
            }
            else if (IsFastPathBeforeItsAccess(stmts, i))
            {
                FastPathWithAccess(stmts[i], stmts[i + 1]);
                i++;
            }
            else Statement(stmts[i]);
        }
        Next();
        for (int k = 0; k < _outOfLine.Count; k++) EmitOutOfLine(_outOfLine[k]);
        EmitConstants();
        _a.Finish();

        nint address = cache.Place(_a);
        var map = new (int, ulong)[_imarks.Count];
        for (int k = 0; k < map.Length; k++) map[k] = _imarks[k];
        var block = new CompiledBlock(sb.GuestAddress, [.. sb.Extents], address, _a.Length, _bodyOffset, _extra, map, _shared.Enter);
        ulong lastByte = LastGuestByte(sb);
        foreach (var (site, unchained, target) in _chainSites)
            block.AddExit(new ExitSite(address + _a.OffsetOf(site), address + _a.OffsetOf(unchained), target, forward: target > lastByte));
        cache.Add(block);
        return block;
    }

    /// <summary>The highest guest address the block was translated from: jumps beyond it are forward.</summary>
    private static ulong LastGuestByte(Superblock sb)
    {
        ulong last = sb.GuestAddress;
        foreach (var (start, length) in sb.Extents) last = Math.Max(last, start + (ulong)Math.Max(length, 1) - 1);
        return last;
    }

    private void I(in Instruction instruction) => _a.Emit(instruction);

    private static MemoryOperand State(int offset) => new(R64(StateReg), offset);
    private static MemoryOperand Frame(int offset) => new(Register.RSP, offset);
    private static Register X(int xmm) => Register.XMM0 + xmm;

    // ---- operands: general registers ----

    private static int Bytes(IrType t) => t switch
    {
        IrType.I1 or IrType.I8 => 1,
        IrType.I16 => 2,
        IrType.I32 or IrType.F32 => 4,
        IrType.I64 or IrType.F64 => 8,
        _ => 16,
    };

    private static bool IsXmm(IrValue v) => RegisterAllocator.IsXmmClass(v.Type);

    private int Home(IrValue v) => v.IsTemp ? _homes.Register[v.Temp] : -1;

    private MemoryOperand SlotOf(IrValue v) => SlotOf(v.Temp);

    private MemoryOperand SlotOf(int temp) =>
        _homes.Slot[temp] >= 0 ? Frame(BlockFrame.SpillBase + _homes.Slot[temp]) : throw new InvalidOperationException($"t{temp} is read but has no home");

    private bool InSlot(IrValue v) => v.IsTemp && Home(v) < 0;

    /// <summary>The register the statement's result is computed into: its home, or rax when it lives in the frame.</summary>
    private int DstReg(int temp) => _homes.Register[temp] >= 0 ? _homes.Register[temp] : Rax;

    /// <summary>Stores a result computed in <paramref name="reg"/> to the temp's slot when it lives in the frame.</summary>
    private void Commit(int temp, int reg)
    {
        if (_homes.Register[temp] < 0 && _homes.Slot[temp] >= 0) I(Instruction.Create(Code.Mov_rm64_r64, SlotOf(temp), R64(reg)));
    }

    /// <summary>Loads a constant without touching the flags.</summary>
    private void LoadConst(int reg, ulong value)
    {
        if (value <= uint.MaxValue) I(Instruction.Create(Code.Mov_r32_imm32, R(reg, 4), (uint)value));
        else if ((long)value == (int)value) I(Instruction.Create(Code.Mov_rm64_imm32, R64(reg), (int)value));
        else I(Instruction.Create(Code.Mov_r64_imm64, R64(reg), value));
    }

    /// <summary>Puts the whole (zero-extended) integer value into <paramref name="reg"/>.</summary>
    private void Load(int reg, IrValue v)
    {
        if (IsXmm(v))
        {
            I(Instruction.Create(Code.Movq_rm64_xmm, R64(reg), X(InX(v, XA))));
            if (v.Type == IrType.F32) Canonical(reg, IrType.I32);
        }
        else if (v.IsConst) LoadConst(reg, v.Const);
        else if (Home(v) >= 0) { if (Home(v) != reg) I(Instruction.Create(Code.Mov_r64_rm64, R64(reg), R64(Home(v)))); }
        else I(Instruction.Create(Code.Mov_r64_rm64, R64(reg), SlotOf(v)));
    }

    /// <summary>A register holding <paramref name="v"/>: its home, or <paramref name="scratch"/> loaded with it.</summary>
    private int InReg(IrValue v, int scratch)
    {
        if (Home(v) >= 0 && !IsXmm(v)) return Home(v);
        Load(scratch, v);
        return scratch;
    }

    /// <summary><c>op dst, src</c> at <paramref name="bytes"/> width, with src as immediate, register or slot.</summary>
    private void AluOp(Alu op, int bytes, int dst, IrValue src, int scratch)
    {
        if (src.IsConst && FitsImmediate(src.Const, bytes))
            I(Instruction.Create(op.RmImm.At(bytes), R(dst, bytes), Immediate(src.Const, bytes)));
        else if (InSlot(src))
            I(Instruction.Create(op.RRm.At(bytes), R(dst, bytes), SlotOf(src)));
        else
            I(Instruction.Create(op.RmR.At(bytes), R(dst, bytes), R(InReg(src, scratch), bytes)));
    }

    /// <summary>Zero-extending load of <paramref name="bytes"/> from memory.</summary>
    private void LoadMem(int reg, MemoryOperand m, int bytes) => I(bytes switch
    {
        1 => Instruction.Create(Code.Movzx_r32_rm8, R(reg, 4), m),
        2 => Instruction.Create(Code.Movzx_r32_rm16, R(reg, 4), m),
        4 => Instruction.Create(Code.Mov_r32_rm32, R(reg, 4), m),
        _ => Instruction.Create(Code.Mov_r64_rm64, R64(reg), m),
    });

    /// <summary>Stores the low <paramref name="bytes"/> of the integer <paramref name="v"/> to memory.</summary>
    private void StoreMem(MemoryOperand m, IrValue v, int bytes, int scratch)
    {
        if (v.IsConst && FitsImmediate(v.Const, bytes))
            I(Instruction.Create(MovRmImm.At(bytes), m, Immediate(v.Const, bytes)));
        else
            I(Instruction.Create(MovRmR.At(bytes), m, R(InReg(v, scratch), bytes)));
    }

    /// <summary>Clears the bits above the type's width (the invariant every register-held integer temp keeps).</summary>
    private void Canonical(int reg, IrType type)
    {
        switch (type)
        {
            case IrType.I1: I(Instruction.Create(Code.And_rm32_imm32, R(reg, 4), 1)); break;
            case IrType.I8: I(Instruction.Create(Code.Movzx_r32_rm8, R(reg, 4), R(reg, 1))); break;
            case IrType.I16: I(Instruction.Create(Code.Movzx_r32_rm16, R(reg, 4), R(reg, 2))); break;
            case IrType.I32: I(Instruction.Create(Code.Mov_r32_rm32, R(reg, 4), R(reg, 4))); break;
        }
    }

    /// <summary>Sign-extends the low <paramref name="type"/> bits of reg to 64.</summary>
    private void SignExtend64(int reg, IrType type)
    {
        switch (type)
        {
            case IrType.I1: I(Instruction.Create(Code.Neg_rm64, R64(reg))); break;
            case IrType.I8: I(Instruction.Create(Code.Movsx_r64_rm8, R64(reg), R(reg, 1))); break;
            case IrType.I16: I(Instruction.Create(Code.Movsx_r64_rm16, R64(reg), R(reg, 2))); break;
            case IrType.I32: I(Instruction.Create(Code.Movsxd_r64_rm32, R64(reg), R(reg, 4))); break;
        }
    }

    // ---- operands: xmm registers (F32, F64, V128, I128) ----

    private int DstX(int temp) => _homes.Register[temp] >= 0 ? _homes.Register[temp] : XA;

    private void CommitX(int temp, int xmm)
    {
        if (_homes.Register[temp] < 0 && _homes.Slot[temp] >= 0) I(Instruction.Create(Code.Movups_xmmm128_xmm, SlotOf(temp), X(xmm)));
    }

    private void MovX(int dst, int src)
    {
        if (dst != src) I(Instruction.Create(Code.Movaps_xmm_xmmm128, X(dst), X(src)));
    }

    /// <summary>Puts <paramref name="v"/> (any class: integers go to the low lane, zero-extended) into xmm <paramref name="xmm"/>.</summary>
    private void LoadX(int xmm, IrValue v)
    {
        if (v.IsConst)
        {
            if (v.Const == 0 && v.ConstHi == 0) I(Instruction.Create(Code.Xorps_xmm_xmmm128, X(xmm), X(xmm)));
            else if (!v.Type.IsWide())
            {
                LoadConst(R11, v.Const);
                I(Instruction.Create(Code.Movq_xmm_rm64, X(xmm), Register.R11));
            }
            else _a.EmitRipRelative(Instruction.Create(Code.Movups_xmm_xmmm128, X(xmm), new MemoryOperand(Register.RIP, 0L)), Constant(v.Const, v.ConstHi));
        }
        else if (!IsXmm(v)) I(Instruction.Create(Code.Movq_xmm_rm64, X(xmm), R64(InReg(v, R11))));
        else if (Home(v) >= 0) MovX(xmm, Home(v));
        else I(Instruction.Create(Code.Movups_xmm_xmmm128, X(xmm), SlotOf(v)));
    }

    /// <summary>An xmm register holding <paramref name="v"/>: its home, or <paramref name="scratch"/> loaded with it.</summary>
    private int InX(IrValue v, int scratch)
    {
        if (IsXmm(v) && Home(v) >= 0) return Home(v);
        LoadX(scratch, v);
        return scratch;
    }

    /// <summary>A label on a 16-byte constant in the block's pool (after its code).</summary>
    private int Constant(ulong lo, ulong hi)
    {
        foreach (var (label, l, h) in _constants)
            if (l == lo && h == hi) return label;
        int newLabel = _a.NewLabel();
        _constants.Add((newLabel, lo, hi));
        return newLabel;
    }

    private void EmitConstants()
    {
        if (_constants.Count == 0) return;
        _a.Align(16);
        foreach (var (label, lo, hi) in _constants)
        {
            _a.Bind(label);
            _a.Quad(lo);
            _a.Quad(hi);
        }
    }

    // ---- statements ----

    private void Statement(in IrStmt s)
    {
        if (s.Kind == StmtKind.IMark)
        {
            _imark = s.Addr;
            _instructions++;
            _imarks.Add((_a.Length, s.Addr));
            return;
        }
        bool unused = s.Dst >= 0 && _allocator.LastUse[s.Dst] < 0;
        if (unused && s.Kind is StmtKind.Get or StmtKind.GetI or StmtKind.Unop or StmtKind.Binop or StmtKind.Triop or StmtKind.Ite)
            return;
        if (s.Kind is StmtKind.Unop or StmtKind.Binop or StmtKind.Triop && !InlineForms.Covers(s))
        {
            Evaluate(s);
            return;
        }
        switch (s.Kind)
        {
            case StmtKind.Get: Get(s); break;
            case StmtKind.Put: Put(State(s.Offset), s.A, Rax); break;
            case StmtKind.GetI: GetI(s); break;
            case StmtKind.PutI: Put(StateElement(s, s.B.Type), s.B, Rax); break;
            case StmtKind.Load: Load(s, unused); break;
            case StmtKind.Store: Store(s); break;
            case StmtKind.Unop: Unop(s); break;
            case StmtKind.Binop: Binop(s); break;
            case StmtKind.Triop: Triop(s); break;
            case StmtKind.Ite: Ite(s); break;
            case StmtKind.Call: Call(s, unused); break;
            case StmtKind.Exit: SideExit(s); break;
            default: throw new NotSupportedException($"statement {s}");
        }
    }

    private void Get(in IrStmt s) => LoadFrom(s.Dst, s.Type, State(s.Offset));

    private void GetI(in IrStmt s) => LoadFrom(s.Dst, s.Type, StateElement(s, s.Type));

    /// <summary>Loads temp <paramref name="temp"/> of <paramref name="type"/> from memory (guest state or guest memory).</summary>
    private void LoadFrom(int temp, IrType type, MemoryOperand m)
    {
        if (RegisterAllocator.IsXmmClass(type))
        {
            int x = DstX(temp);
            I(type switch
            {
                IrType.F32 => Instruction.Create(Code.Movss_xmm_xmmm32, X(x), m),
                IrType.F64 => Instruction.Create(Code.Movsd_xmm_xmmm64, X(x), m),
                _ => Instruction.Create(Code.Movups_xmm_xmmm128, X(x), m),
            });
            CommitX(temp, x);
            return;
        }
        int d = DstReg(temp);
        LoadMem(d, m, Bytes(type));
        if (type == IrType.I1) Canonical(d, type);
        Commit(temp, d);
    }

    /// <summary>
    /// Stores <paramref name="v"/> to memory (guest state or guest memory), through <paramref name="scratch"/> when
    /// it must be staged in a general register; the registers <paramref name="m"/> uses must not be that one or r11.
    /// </summary>
    private void Put(MemoryOperand m, IrValue v, int scratch)
    {
        if (!IsXmm(v))
        {
            StoreMem(m, v, Bytes(v.Type), scratch);
            return;
        }
        if (v.IsConst && !v.Type.IsWide())
        {
            StoreMem(m, IrValue.Constant(IrTypes.IntOfBytes(Bytes(v.Type)), v.Const), Bytes(v.Type), scratch);
            return;
        }
        int x = InX(v, XB);
        I(v.Type switch
        {
            IrType.F32 => Instruction.Create(Code.Movss_xmmm32_xmm, m, X(x)),
            IrType.F64 => Instruction.Create(Code.Movsd_xmmm64_xmm, m, X(x)),
            _ => Instruction.Create(Code.Movups_xmmm128_xmm, m, X(x)),
        });
    }

    /// <summary>The guest-state element ((A + Bias) mod Count) of a GetI/PutI, addressed through rcx.</summary>
    private MemoryOperand StateElement(in IrStmt s, IrType elem)
    {
        Load(Rcx, s.A);
        if ((s.Count & (s.Count - 1)) == 0)
        {
            if (s.Bias != 0) I(Instruction.Create(Code.Add_rm64_imm32, Register.RCX, s.Bias));
            I(Instruction.Create(Code.And_rm64_imm32, Register.RCX, s.Count - 1));
        }
        else
        {
            // (index mod Count + Bias) mod Count, brought into [0, Count).
            I(Instruction.Create(Code.Mov_r64_rm64, Register.RAX, Register.RCX));
            I(Instruction.Create(Code.Xor_r32_rm32, Register.EDX, Register.EDX));
            I(Instruction.Create(Code.Mov_r32_imm32, Register.ECX, (uint)s.Count));
            I(Instruction.Create(Code.Div_rm64, Register.RCX));
            I(Instruction.Create(Code.Lea_r64_m, Register.RAX, new MemoryOperand(Register.RDX, s.Bias)));
            I(Instruction.Create(Code.Cqo));
            I(Instruction.Create(Code.Mov_r32_imm32, Register.ECX, (uint)s.Count));
            I(Instruction.Create(Code.Idiv_rm64, Register.RCX));
            I(Instruction.Create(Code.Lea_r64_m, Register.RAX, new MemoryOperand(Register.RDX, s.Count)));
            I(Instruction.Create(Code.Test_rm64_r64, Register.RDX, Register.RDX));
            I(Instruction.Create(Code.Cmovs_r64_rm64, Register.RDX, Register.RAX));
            I(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, Register.RDX));
        }
        int size = Bytes(elem);
        if (size == 16)
        {
            I(Instruction.Create(Code.Shl_rm64_imm8, Register.RCX, 4));
            size = 1;
        }
        return new MemoryOperand(R64(StateReg), Register.RCX, size, s.Offset, 1);
    }

    private void Load(in IrStmt s, bool unused)
    {
        Load(Rax, s.A);
        if (s.ChecksAccess) CheckAccess(s.AccessBytes, write: false);
        if (!unused) LoadFrom(s.Dst, s.Type, new MemoryOperand(Register.RAX));
    }

    private void Store(in IrStmt s)
    {
        Load(Rax, s.A);
        if (s.ChecksAccess) CheckAccess(s.AccessBytes, write: true);
        Put(new MemoryOperand(Register.RAX), s.B, Rcx);
    }

    private void Ite(in IrStmt s)
    {
        if (RegisterAllocator.IsXmmClass(s.Type))
        {
            int x = DstX(s.Dst);
            if (s.A.IsConst) LoadX(x, s.A.Const != 0 ? s.B : s.C);
            else
            {
                int skip = _a.NewLabel(), done = _a.NewLabel();
                TestCondition(s.A);
                _a.Jcc(ConditionCode.e, skip);
                LoadX(x, s.B);
                _a.Jump(done);
                _a.Bind(skip);
                LoadX(x, s.C);
                _a.Bind(done);
            }
            CommitX(s.Dst, x);
            return;
        }
        int d = DstReg(s.Dst);
        if (s.A.IsConst)
        {
            Load(d, s.A.Const != 0 ? s.B : s.C);
            Commit(s.Dst, d);
            return;
        }
        int work = Home(s.B) == d || Home(s.A) == d ? Rax : d;
        Load(work, s.C);
        if (s.B.IsConst) LoadConst(Rcx, s.B.Const);
        TestCondition(s.A);
        if (InSlot(s.B)) I(Instruction.Create(Code.Cmovne_r64_rm64, R64(work), SlotOf(s.B)));
        else I(Instruction.Create(Code.Cmovne_r64_rm64, R64(work), R64(s.B.IsConst ? Rcx : Home(s.B))));
        Finish(s.Dst, work, d);
    }

    /// <summary>Moves a result computed in <paramref name="work"/> to its home.</summary>
    private void Finish(int temp, int work, int d)
    {
        if (work != d) I(Instruction.Create(Code.Mov_r64_rm64, R64(d), R64(work)));
        Commit(temp, d);
    }

    /// <summary>Sets ZF from an I1 temp (clear when true).</summary>
    private void TestCondition(IrValue cond)
    {
        if (Home(cond) >= 0) I(Instruction.Create(Code.Test_rm8_r8, R(Home(cond), 1), R(Home(cond), 1)));
        else I(Instruction.Create(Code.Cmp_rm8_imm8, SlotOf(cond), 0));
    }

    private static readonly int[] ArgRegisters = [Rsi, Rdx, Rcx, R8];

    /// <summary>
    /// A helper call; a guarded one is jumped over (its result 0) when the guard is 0. With an access check,
    /// the memory a dirty helper declares is checked first, as a load or store would be.
    /// </summary>
    private void Call(in IrStmt s, bool unused)
    {
        if (InlinesTags(s, out var tags))
        {
            CallWithTagAccess(s, tags, unused);
            return;
        }
        if (s.Helper!.Cache is { } cache && s.A.IsNone && !unused)
        {
            CallWithCache(s, cache);
            return;
        }
        if (s.Helper!.FastPath is { } fast && s.A.IsNone && s.Args![fast.PrimaryArg].IsConst)
        {
            CallWithFastPath(s, fast, unused);
            return;
        }
        if (s.Helper.Fill is { } fill && s.A.IsNone && _ctx.AccessCheck is { SharedSecondaries.Length: > 0 }
            && s.Args![fill.LengthArg] is { IsConst: true } length && MapFill.InlineLength(length.Const))
        {
            CallWithFill(s, fill, (int)length.Const, unused);
            return;
        }
        if (s.A.IsTemp && !s.A.IsNone && IsOutOfLineCall(s))
        {
            int call = _a.NewLabel(), back = _a.NewLabel();
            TestCondition(s.A);
            _a.Jcc(ConditionCode.ne, call);
            _a.Bind(back);
            _outOfLine.Add(OutOfLine.HelperCall(call, back, _statement, unused: true, _imark, _instructions));
            return;
        }
        // A constant guard is normally folded away by the optimiser; 1 is a plain call.
        bool guarded = s.A.IsTemp;
        if (s.A.IsConst && (s.A.Const & 1) == 0) I(Instruction.Create(Code.Xor_r32_rm32, Register.EAX, Register.EAX));
        else
        {
            int skip = _a.NewLabel(), join = _a.NewLabel();
            if (guarded)
            {
                TestCondition(s.A);
                _a.Jcc(ConditionCode.e, skip);
            }
            CheckHelperMemory(s);
            CallHelper(s);
            if (guarded)
            {
                _a.Jump(join);
                _a.Bind(skip);
                I(Instruction.Create(Code.Xor_r32_rm32, Register.EAX, Register.EAX));
                _a.Bind(join);
            }
        }
        if (unused) return;
        int d = DstReg(s.Dst);
        if (d != Rax) I(Instruction.Create(Code.Mov_r64_rm64, R64(d), Register.RAX));
        Commit(s.Dst, d);
    }

    /// <summary>
    /// The helper's fast case inline (see <see cref="MapFastPath"/>): result 0 without a call; anything else, out of
    /// line, calls it. The map walk is the access check's.
    /// </summary>
    private void CallWithFastPath(in IrStmt s, MapFastPath fast, bool unused)
    {
        int slow = _a.NewLabel(), back = _a.NewLabel();
        FastCase(s, fast, unused, slow);
        _a.Bind(back);
        _outOfLine.Add(OutOfLine.HelperCall(slow, back, _statement, unused, _imark, _instructions));
    }

    /// <summary>
    /// A comparison right before the helper call it guards, its only use, with the call's result unused (memcheck's
    /// error reports): the call is out of line, reached by a branch on the comparison's flags.
    /// </summary>
    private bool IsFusedGuard(Span<IrStmt> stmts, int i)
    {
        if (i + 1 >= stmts.Length) return false;
        ref readonly var cmp = ref stmts[i];
        ref readonly var call = ref stmts[i + 1];
        return cmp.Kind == StmtKind.Binop && cmp.Op is >= IrOp.CmpEQ and <= IrOp.CmpLES && InlineForms.Covers(cmp)
            && call.Kind == StmtKind.Call && call.A.IsTemp && !call.A.IsNone && call.A.Temp == cmp.Dst
            && _allocator.LastUse[cmp.Dst] == i + 1 && IsOutOfLineCall(call);
    }

    /// <summary>A call whose result nobody reads and that needs nothing checked before it: it can run out of line.</summary>
    private bool IsOutOfLineCall(in IrStmt call) =>
        (call.Dst < 0 || _allocator.LastUse[call.Dst] < 0) && call.Helper!.MemoryRead is null && call.Helper.MemoryWrite is null;

    private void CallOnCompare(in IrStmt cmp, int call)
    {
        int slow = _a.NewLabel(), back = _a.NewLabel();
        CompareFlags(cmp);
        _a.Jcc(CompareCondition(cmp.Op), slow);
        _a.Bind(back);
        _outOfLine.Add(OutOfLine.HelperCall(slow, back, call, unused: true, _imark, _instructions));
    }

    /// <summary>
    /// The helper's map fill inline (see <see cref="MapFill"/>): the walk to the chunk's secondary, a test that it is
    /// not shared and that no field of the range is 3, then the fields written in words of up to 8 bytes. Anything
    /// else, out of line, calls it.
    /// </summary>
    private void CallWithFill(in IrStmt s, MapFill fill, int length, bool unused)
    {
        var check = _ctx.AccessCheck!;
        int slow = _a.NewLabel(), back = _a.NewLabel();
        int fieldBytes = length / 4, piece = Math.Min(fieldBytes, 8);
        Load(Rax, s.Args![fill.AddressArg]);
        I(Instruction.Create(Code.Test_rm8_imm8, Register.AL, 7));
        _a.Jcc(ConditionCode.ne, slow);
        AddressabilityCode.SecondaryOf(_a, Rax, check.Primary, slow);
        AddressabilityCode.JumpIfShared(_a, check.SharedSecondaries, slow);
        I(Instruction.Create(Code.Movzx_r32_rm16, Register.ECX, Register.AX));
        I(Instruction.Create(Code.Shr_rm32_imm8, Register.ECX, 2));
        I(Instruction.Create(Code.Cmp_rm32_imm32, Register.ECX, AddressabilityMap.ChunkMask + 1 - length >> 2));
        _a.Jcc(ConditionCode.a, slow);
        I(Instruction.Create(Code.Add_r64_rm64, Register.RDX, Register.RCX));
        // rax = 01 in every field: a field is 3 when it and its high bit have the low bit set.
        I(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, 0x5555_5555_5555_5555UL));
        for (int offset = 0; offset < fieldBytes; offset += piece)
        {
            var fields = new MemoryOperand(Register.RDX, offset);
            I(Instruction.Create(MovFromMemory(piece), R(R11, piece), fields));
            I(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, Register.R11));
            I(Instruction.Create(Code.Shr_rm64_imm8, Register.RCX, 1));
            I(Instruction.Create(Code.And_r64_rm64, Register.RCX, Register.R11));
            I(Instruction.Create(TestRegisters(piece), R(Rcx, piece), R(Rax, piece)));
            _a.Jcc(ConditionCode.ne, slow);
        }
        if (fill.State != 1) LoadConst(Rax, (ulong)fill.State * 0x5555_5555_5555_5555UL);
        for (int offset = 0; offset < fieldBytes; offset += piece)
            I(Instruction.Create(MovToMemory(piece), new MemoryOperand(Register.RDX, offset), R(Rax, piece)));
        if (fill.Tags is { } tags) FillTags(s.Args[fill.AddressArg], tags, length, slow);
        if (!unused)
        {
            int d = DstReg(s.Dst);
            I(Instruction.Create(Code.Xor_r32_rm32, R(d, 4), R(d, 4)));
            Commit(s.Dst, d);
        }
        _a.Bind(back);
        _outOfLine.Add(OutOfLine.HelperCall(slow, back, _statement, unused, _imark, _instructions));
    }

    private static Code MovFromMemory(int bytes) => bytes switch
    {
        2 => Code.Mov_r16_rm16, 4 => Code.Mov_r32_rm32, _ => Code.Mov_r64_rm64,
    };

    private static Code MovToMemory(int bytes) => bytes switch
    {
        2 => Code.Mov_rm16_r16, 4 => Code.Mov_rm32_r32, _ => Code.Mov_rm64_r64,
    };

    private static Code TestRegisters(int bytes) => bytes switch
    {
        2 => Code.Test_rm16_r16, 4 => Code.Test_rm32_r32, _ => Code.Test_rm64_r64,
    };

    /// <summary>
    /// A fast-path helper call right before the guest access it is about (same address and size), when the fast case's
    /// map is the access check's and its state means addressable: memcheck's V-bit load or store and the load or
    /// store itself. One map walk then serves both, and the access needs no check of its own.
    /// </summary>
    private bool IsFastPathBeforeItsAccess(Span<IrStmt> stmts, int i)
    {
        if (i + 1 >= stmts.Length) return false;
        ref readonly var call = ref stmts[i];
        ref readonly var access = ref stmts[i + 1];
        if (call.Kind != StmtKind.Call || call.Helper!.FastPath is not { } fast || !call.A.IsNone || fast.State == 0) return false;
        var primary = call.Args![fast.PrimaryArg];
        if (!primary.IsConst || _ctx.AccessCheck is not { } check || check.Primary != (nint)primary.Const) return false;
        var address = call.Args[fast.AddressArg];
        return access.Kind switch
        {
            StmtKind.Load or StmtKind.Store => access.A == address && access.AccessBytes == fast.Size,
            _ => false,
        };
    }

    private void FastPathWithAccess(in IrStmt call, in IrStmt access)
    {
        var fast = call.Helper!.FastPath!;
        bool callUnused = call.Dst < 0 || _allocator.LastUse[call.Dst] < 0;
        bool loadUnused = access.Kind == StmtKind.Load && _allocator.LastUse[access.Dst] < 0;
        int slow = _a.NewLabel(), back = _a.NewLabel();
        FastCase(call, fast, callUnused, slow);
        Access(access, loadUnused);
        _a.Bind(back);
        _outOfLine.Add(OutOfLine.HelperCall(slow, back, _statement, callUnused, _imark, _instructions) with { Access = true });
    }

    /// <summary>The guest load or store at rax, already known to be allowed.</summary>
    private void Access(in IrStmt access, bool unused)
    {
        if (access.Kind == StmtKind.Store) Put(new MemoryOperand(Register.RAX), access.B, Rcx);
        else if (!unused) LoadFrom(access.Dst, access.Type, new MemoryOperand(Register.RAX));
    }

    /// <summary>
    /// The helper's fast case: jumps to <paramref name="slow"/> unless it holds, else gives the result 0. Leaves the
    /// address in rax.
    /// </summary>
    private void FastCase(in IrStmt s, MapFastPath fast, bool unused, int slow)
    {
        var args = s.Args!;
        if (fast.ZeroArg >= 0)
        {
            var zero = args[fast.ZeroArg];
            if (zero.IsConst && zero.Const != 0) _a.Jump(slow);
            else if (!zero.IsConst)
            {
                int reg = InReg(zero, Rax);
                I(Instruction.Create(Code.Test_rm64_r64, R64(reg), R64(reg)));
                _a.Jcc(ConditionCode.ne, slow);
            }
        }
        Load(Rax, args[fast.AddressArg]);
        if (fast.Size > 1)
        {
            // 4-aligned is enough for the map walk (a field byte covers 4 bytes); glibc and gcc load 8 bytes at
            // 4-aligned addresses often (movq of two ints).
            I(Instruction.Create(Code.Test_rm8_imm8, Register.AL, Math.Min(fast.Size, 4) - 1));
            _a.Jcc(ConditionCode.ne, slow);
        }
        var shared = _ctx.AccessCheck?.SharedSecondaries ?? default;
        AddressabilityCode.FieldsAre(_a, Rax, (nint)args[fast.PrimaryArg].Const, fast.Size, fast.State, slow,
            shared.Length > 0 ? fast.OrFrom : -1, shared);
        if (unused) return;
        // A spilled result is written straight to its slot: the scratch register would be rax, the address.
        if (_homes.Register[s.Dst] < 0)
        {
            if (_homes.Slot[s.Dst] >= 0) I(Instruction.Create(Code.Mov_rm64_imm32, SlotOf(s.Dst), 0));
            return;
        }
        int d = _homes.Register[s.Dst];
        I(Instruction.Create(Code.Xor_r32_rm32, R(d, 4), R(d, 4)));
    }

    /// <summary>
    /// The out-of-line call of a helper whose fast case did not hold; for a fused pair, then the checked access, at
    /// the instruction (and count) the pair belongs to.
    /// </summary>
    private void HelperCallOutOfLine(in OutOfLine o)
    {
        var stmts = _sb.Statements;
        ref readonly var s = ref stmts[o.Statement];
        _a.Bind(o.Label);
        CallHelper(s);
        if (!o.Unused)
        {
            int d = DstReg(s.Dst);
            if (d != Rax) I(Instruction.Create(Code.Mov_r64_rm64, R64(d), Register.RAX));
            Commit(s.Dst, d);
        }
        if (o.Access)
        {
            (_imark, _instructions) = (o.Address, o.Instructions);
            ref readonly var access = ref stmts[o.Statement + 1];
            bool store = access.Kind == StmtKind.Store;
            Load(Rax, access.A);
            CheckAccess(access.AccessBytes, store, walkInline: false);
            Access(access, !store && _allocator.LastUse[access.Dst] < 0);
        }
        _a.Jump(o.Back);
    }

    private void CheckHelperMemory(in IrStmt s)
    {
        if (_ctx.AccessCheck == null) return;
        var args = s.Args ?? [];
        if (s.Helper!.MemoryRead is var (readArg, readSize))
        {
            Load(Rax, args[readArg]);
            CheckAccess(readSize, write: false);
        }
        if (s.Helper.MemoryWrite is var (writeArg, writeSize))
        {
            Load(Rax, args[writeArg]);
            CheckAccess(writeSize, write: true);
        }
    }

    /// <summary>Calls the helper with its arguments; the result is in rax.</summary>
    private void CallHelper(in IrStmt s)
    {
        var args = s.Args ?? [];
        if (ArgumentsMoveDirectly(args))
            for (int k = 0; k < args.Length; k++) Load(ArgRegisters[k], args[k]);
        else StageArguments(args);
        I(Instruction.Create(Code.Mov_r64_rm64, Register.RDI, R64(StateReg)));
        I(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, (ulong)s.Helper!.Function));
        I(Instruction.Create(Code.Call_rm64, Register.RAX));
    }

    /// <summary>Whether no argument lives in the register another one is passed in: each then goes straight to its own.</summary>
    private bool ArgumentsMoveDirectly(IrValue[] args)
    {
        for (int k = 0; k < args.Length; k++)
        {
            if (!args[k].IsTemp || IsXmm(args[k]) || Home(args[k]) < 0) continue;
            int passedIn = Array.IndexOf(ArgRegisters, Home(args[k]), 0, args.Length);
            if (passedIn >= 0 && passedIn != k) return false;
        }
        return true;
    }

    /// <summary>Puts the arguments in their registers through the stack, which no order of moves could clobber.</summary>
    private void StageArguments(IrValue[] args)
    {
        for (int k = 0; k < args.Length; k++)
        {
            var v = args[k];
            if (v.IsConst && FitsImmediate(v.Const, 8)) I(Instruction.Create(Code.Pushq_imm32, (int)v.Const));
            else if (InSlot(v) && !IsXmm(v)) I(Instruction.Create(Code.Push_rm64, Frame(BlockFrame.SpillBase + _homes.Slot[v.Temp] + 8 * k)));
            else I(Instruction.Create(Code.Push_r64, R64(InReg(v, Rax))));
        }
        for (int k = args.Length - 1; k >= 0; k--) I(Instruction.Create(Code.Pop_r64, R64(ArgRegisters[k])));
    }

    /// <summary>An operation the backend does not inline: IrEvaluator.EvalNative on Value128 operands in the frame.</summary>
    private void Evaluate(in IrStmt s)
    {
        int operands = s.Kind switch { StmtKind.Unop => 1, StmtKind.Binop => 2, _ => 3 };
        for (int k = 0; k < operands; k++)
        {
            var slot = Frame(BlockFrame.EvalArgs + 16 * k);
            var v = k switch { 0 => s.A, 1 => s.B, _ => s.C };
            if (v.Type.IsWide()) I(Instruction.Create(Code.Movups_xmmm128_xmm, slot, X(InX(v, XA))));
            else
            {
                Load(Rax, v);
                I(Instruction.Create(Code.Mov_rm64_r64, slot, Register.RAX));
                I(Instruction.Create(Code.Mov_rm64_imm32, new MemoryOperand(Register.RSP, BlockFrame.EvalArgs + 16 * k + 8), 0));
            }
        }
        I(Instruction.Create(Code.Lea_r64_m, Register.RAX, Frame(BlockFrame.EvalResult)));
        I(Instruction.Create(Code.Mov_rm64_r64, Frame(BlockFrame.OutgoingArg), Register.RAX));
        I(Instruction.Create(Code.Mov_r32_imm32, Register.EDI, (uint)operands));
        I(Instruction.Create(Code.Mov_r32_imm32, Register.ESI, (uint)s.Op));
        I(Instruction.Create(Code.Mov_r32_imm32, Register.EDX, (uint)s.Type));
        I(Instruction.Create(Code.Mov_r32_imm32, Register.ECX, (uint)s.A.Type));
        I(Instruction.Create(Code.Mov_r32_imm32, Register.R8D, (uint)s.Lane));
        I(Instruction.Create(Code.Lea_r64_m, Register.R9, Frame(BlockFrame.EvalArgs)));
        I(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, (ulong)(delegate* unmanaged<int, int, int, int, int, Value128*, Value128*, void>)&IrEvaluator.EvalNative));
        I(Instruction.Create(Code.Call_rm64, Register.RAX));
        LoadFrom(s.Dst, s.Type, Frame(BlockFrame.EvalResult));
    }
}
