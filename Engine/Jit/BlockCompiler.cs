using System.Diagnostics;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Jit.X64;

namespace Memcheck.Engine.Jit;

/// <summary>
/// Translates a superblock to host x86-64 in the context's code cache. Generated code is called as
/// <c>delegate* unmanaged&lt;GuestState*, ulong&gt;</c>, keeps the state pointer in rbp, and returns the
/// next guest RIP; see <see cref="CompiledBlock"/> for what it leaves in the state.
/// </summary>
public sealed class BlockCompiler
{
    public CompiledBlock Compile(Superblock sb, BackendContext ctx)
    {
        var clock = Stopwatch.StartNew();
        var block = new BlockEmitter(sb, ctx).Emit();
        block.CompileTime = clock.Elapsed;
        return block;
    }
}

/// <summary>Lowers one superblock, statement by statement, into an Iced assembler and places it in the cache.</summary>
internal sealed unsafe partial class BlockEmitter
{
    private const int StateReg = BlockFrame.StateRegister;

    private readonly Superblock _sb;
    private readonly BackendContext _ctx;
    private readonly Assembler _a = new(64);
    private readonly TempHomes _homes;
    private readonly int[] _lastUse;
    private readonly int _frameSize;
    private readonly List<Action> _outOfLine = [];
    private readonly List<(Label Site, ulong Target)> _chainSites = [];
    private Label _epilogue;
    private Label _checkRead, _checkWrite;
    private bool _usesCheckRead, _usesCheckWrite;
    private ulong _imark;
    /// <summary>IMarks passed so far: each exit adds them to state->InstrCount, as the interpreter counts.</summary>
    private int _instructions;
    /// <summary>(assembler instruction index, guest address) at each IMark, for mapping host faults back.</summary>
    private readonly List<(int Index, ulong Guest)> _imarks = [];

    public BlockEmitter(Superblock sb, BackendContext ctx)
    {
        _sb = sb;
        _ctx = ctx;
        _lastUse = RegisterAllocator.LastUses(sb);
        _homes = RegisterAllocator.Allocate(sb, _lastUse);
        _frameSize = BlockFrame.Size(_homes.SpillBytes);
        _imark = sb.GuestAddress;
    }

    public CompiledBlock Emit()
    {
        var cache = _ctx.Cache;
        _epilogue = _a.CreateLabel();
        _checkRead = _a.CreateLabel();
        _checkWrite = _a.CreateLabel();
        _addressableRange = _a.CreateLabel();
        _slowPath = _a.CreateLabel();

        foreach (int r in BlockFrame.SavedRegisters) I(Instruction.Create(Code.Push_r64, R64(r)));
        I(Instruction.Create(Code.Mov_r64_rm64, R64(StateReg), R64(Rdi)));
        I(Instruction.Create(Code.Mov_rm32_imm32, Rip(cache.BudgetAddress), CodeCache.ChainBudget));
        var chainEntry = _a.CreateLabel();
        _a.Label(ref chainEntry);
        I(Instruction.Create(Code.Sub_rm64_imm32, R64(Rsp), _frameSize));

        var stmts = _sb.Statements;
        for (int i = 0; i < stmts.Length; i++)
        {
            if (IsFusedCompare(stmts, i))
            {
                BranchOnCompare(stmts[i], stmts[i + 1]);
                i++;
            }
            else Statement(stmts[i]);
        }
        Next();

        foreach (var emit in _outOfLine) emit();
        _a.Label(ref _epilogue);
        I(Instruction.Create(Code.Add_rm64_imm32, R64(Rsp), _frameSize));
        PopAndReturn();
        if (_usesCheckRead) PageCheckRoutine(ref _checkRead, 1);
        if (_usesCheckWrite) PageCheckRoutine(ref _checkWrite, 2);
        AddressabilityRoutines();

        var placed = cache.Place(_a);
        var offsets = placed.Result.Result[0].NewInstructionOffsets;
        var map = _imarks.Select(m => (m.Index < offsets.Length ? (int)offsets[m.Index] : placed.Size, m.Guest)).ToArray();
        var block = new CompiledBlock(_sb.GuestAddress, [.. _sb.Extents], placed.Address, placed.Size,
            (nint)placed.Result.GetLabelRIP(chainEntry), _frameSize, map);
        foreach (var (site, target) in _chainSites)
            block.AddExit(new ExitSite((nint)placed.Result.GetLabelRIP(site), target));
        cache.Add(block);
        return block;
    }

    private void I(Instruction instruction) => _a.AddInstruction(instruction);

    private static MemoryOperand State(int offset) => new(R64(StateReg), offset);
    private static MemoryOperand Frame(int offset) => new(R64(Rsp), offset);
    private static MemoryOperand Rip(nint address) => new(Register.RIP, address);

    /// <summary>The tail every exit ends in: restores the dispatcher's registers and returns rax to it.</summary>
    internal static void PopAndReturnTo(Assembler a)
    {
        for (int k = BlockFrame.SavedRegisters.Length - 1; k >= 0; k--)
            a.AddInstruction(Instruction.Create(Code.Pop_r64, R64(BlockFrame.SavedRegisters[k])));
        a.AddInstruction(Instruction.Create(Code.Retnq));
    }

    private void PopAndReturn() => PopAndReturnTo(_a);

    // ---- operands ----

    private static int Bytes(IrType t) => t switch
    {
        IrType.I1 or IrType.I8 => 1,
        IrType.I16 => 2,
        IrType.I32 or IrType.F32 => 4,
        IrType.I64 or IrType.F64 => 8,
        _ => 16,
    };

    private int Home(IrValue v) => v.IsTemp ? _homes.Register[v.Temp] : -1;

    /// <summary>The register the statement's result is computed into: its home, or rax when it lives in the frame.</summary>
    private int DstReg(int temp) => _homes.Register[temp] >= 0 ? _homes.Register[temp] : Rax;

    /// <summary>Stores a result computed in <paramref name="reg"/> to the temp's slot when it lives in the frame.</summary>
    private void Commit(int temp, int reg)
    {
        if (_homes.Register[temp] < 0 && _homes.Slot[temp] >= 0)
            I(Instruction.Create(Code.Mov_rm64_r64, Frame(_homes.Slot[temp]), R64(reg)));
    }

    /// <summary>Loads a constant without touching the flags.</summary>
    private void LoadConst(int reg, ulong value)
    {
        if (value <= uint.MaxValue) I(Instruction.Create(Code.Mov_r32_imm32, R(reg, 4), (uint)value));
        else if ((long)value == (int)value) I(Instruction.Create(Code.Mov_rm64_imm32, R64(reg), (int)value));
        else I(Instruction.Create(Code.Mov_r64_imm64, R64(reg), value));
    }

    /// <summary>Puts the whole (zero-extended) value into <paramref name="reg"/>.</summary>
    private void Load(int reg, IrValue v)
    {
        if (v.IsConst) LoadConst(reg, v.Const);
        else if (Home(v) >= 0) { if (Home(v) != reg) I(Instruction.Create(Code.Mov_r64_rm64, R64(reg), R64(Home(v)))); }
        else I(Instruction.Create(Code.Mov_r64_rm64, R64(reg), Frame(SlotOf(v))));
    }

    private int SlotOf(IrValue v) =>
        _homes.Slot[v.Temp] >= 0 ? _homes.Slot[v.Temp] : throw new InvalidOperationException($"t{v.Temp} is read but has no home");

    /// <summary>A register holding <paramref name="v"/>: its home, or <paramref name="scratch"/> loaded with it.</summary>
    private int InReg(IrValue v, int scratch)
    {
        if (Home(v) >= 0) return Home(v);
        Load(scratch, v);
        return scratch;
    }

    /// <summary><c>op dst, src</c> at <paramref name="bytes"/> width, with src as immediate, register or slot.</summary>
    private void AluOp(Alu op, int bytes, int dst, IrValue src, int scratch)
    {
        if (src.IsConst && FitsImmediate(src.Const, bytes))
            I(Instruction.Create(op.RmImm.At(bytes), R(dst, bytes), Immediate(src.Const, bytes)));
        else if (src.IsTemp && Home(src) < 0)
            I(Instruction.Create(op.RRm.At(bytes), R(dst, bytes), Frame(SlotOf(src))));
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

    /// <summary>Stores the low <paramref name="bytes"/> of <paramref name="v"/> to memory.</summary>
    private void StoreMem(MemoryOperand m, IrValue v, int bytes, int scratch)
    {
        if (v.IsConst && FitsImmediate(v.Const, bytes))
            I(Instruction.Create(MovRmImm.At(bytes), m, Immediate(v.Const, bytes)));
        else
            I(Instruction.Create(MovRmR.At(bytes), m, R(InReg(v, scratch), bytes)));
    }

    /// <summary>Clears the bits above the type's width (the invariant every register-held temp keeps).</summary>
    private void Canonical(int reg, IrType type)
    {
        switch (type)
        {
            case IrType.I1: I(Instruction.Create(Code.And_rm32_imm32, R(reg, 4), 1)); break;
            case IrType.I8: I(Instruction.Create(Code.Movzx_r32_rm8, R(reg, 4), R(reg, 1))); break;
            case IrType.I16: I(Instruction.Create(Code.Movzx_r32_rm16, R(reg, 4), R(reg, 2))); break;
            case IrType.I32 or IrType.F32: I(Instruction.Create(Code.Mov_r32_rm32, R(reg, 4), R(reg, 4))); break;
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

    private MemoryOperand WideSlot(IrValue v) => Frame(SlotOf(v));

    /// <summary>Copies a 128-bit value (temp or constant) to memory.</summary>
    private void CopyWide(MemoryOperand dst, IrValue src)
    {
        if (src.IsConst)
        {
            LoadConst(Rax, src.Const);
            I(Instruction.Create(Code.Mov_rm64_r64, dst, R64(Rax)));
            LoadConst(Rax, src.ConstHi);
            I(Instruction.Create(Code.Mov_rm64_r64, Displaced(dst, 8), R64(Rax)));
            return;
        }
        I(Instruction.Create(Code.Movdqu_xmm_xmmm128, Register.XMM15, WideSlot(src)));
        I(Instruction.Create(Code.Movdqu_xmmm128_xmm, dst, Register.XMM15));
    }

    /// <summary>Copies 128 bits from memory into a wide temp's slot.</summary>
    private void CopyWideFrom(int temp, MemoryOperand src)
    {
        I(Instruction.Create(Code.Movdqu_xmm_xmmm128, Register.XMM15, src));
        I(Instruction.Create(Code.Movdqu_xmmm128_xmm, Frame(_homes.Slot[temp]), Register.XMM15));
    }

    private static MemoryOperand Displaced(MemoryOperand m, int by) =>
        new(m.Base, m.Index, m.Scale, m.Displacement + by, 1);

    // ---- statements ----

    private void Statement(in IrStmt s)
    {
        if (s.Kind == StmtKind.IMark)
        {
            _imark = s.Addr;
            _instructions++;
            _imarks.Add((_a.Instructions.Count, s.Addr));
            return;
        }
        bool unused = s.Dst >= 0 && _lastUse[s.Dst] < 0;
        if (unused && s.Kind is StmtKind.Get or StmtKind.GetI or StmtKind.Unop or StmtKind.Binop or StmtKind.Triop or StmtKind.Ite)
            return;
        if (s.Kind is StmtKind.Unop or StmtKind.Binop or StmtKind.Triop && !InlineOps.CanInline(s))
        {
            Evaluate(s);
            return;
        }
        switch (s.Kind)
        {
            case StmtKind.Get: Get(s); break;
            case StmtKind.Put: Put(s); break;
            case StmtKind.GetI: GetI(s); break;
            case StmtKind.PutI: PutI(s); break;
            case StmtKind.Load: Load(s, unused); break;
            case StmtKind.Store: Store(s); break;
            case StmtKind.Unop: Unop(s); break;
            case StmtKind.Binop: Binop(s); break;
            case StmtKind.Triop: Divide(s); break;
            case StmtKind.Ite: Ite(s); break;
            case StmtKind.Call: Call(s, unused); break;
            case StmtKind.Exit: SideExit(s); break;
            default: throw new NotSupportedException($"statement {s}");
        }
    }

    private void Get(in IrStmt s)
    {
        if (!InlineOps.IsNarrow(s.Type))
        {
            CopyWideFrom(s.Dst, State(s.Offset));
            return;
        }
        int d = DstReg(s.Dst);
        LoadMem(d, State(s.Offset), Bytes(s.Type));
        if (s.Type == IrType.I1) Canonical(d, s.Type);
        Commit(s.Dst, d);
    }

    private void Put(in IrStmt s)
    {
        if (!InlineOps.IsNarrow(s.A.Type)) CopyWide(State(s.Offset), s.A);
        else StoreMem(State(s.Offset), s.A, Bytes(s.A.Type), Rax);
    }

    /// <summary>Leaves in rcx the byte offset within the guest state of element ((A + Bias) mod Count).</summary>
    private MemoryOperand StateElement(in IrStmt s, IrType elem)
    {
        Load(Rcx, s.A);
        if ((s.Count & (s.Count - 1)) == 0)
        {
            if (s.Bias != 0) I(Instruction.Create(Code.Add_rm64_imm32, R64(Rcx), s.Bias));
            I(Instruction.Create(Code.And_rm64_imm32, R64(Rcx), s.Count - 1));
        }
        else
        {
            // (index mod Count + Bias) mod Count, brought into [0, Count).
            I(Instruction.Create(Code.Mov_r64_rm64, R64(Rax), R64(Rcx)));
            I(Instruction.Create(Code.Xor_r32_rm32, R(Rdx, 4), R(Rdx, 4)));
            I(Instruction.Create(Code.Mov_r32_imm32, R(Rcx, 4), (uint)s.Count));
            I(Instruction.Create(Code.Div_rm64, R64(Rcx)));
            I(Instruction.Create(Code.Lea_r64_m, R64(Rax), new MemoryOperand(R64(Rdx), s.Bias)));
            I(Instruction.Create(Code.Cqo));
            I(Instruction.Create(Code.Mov_r32_imm32, R(Rcx, 4), (uint)s.Count));
            I(Instruction.Create(Code.Idiv_rm64, R64(Rcx)));
            I(Instruction.Create(Code.Lea_r64_m, R64(Rax), new MemoryOperand(R64(Rdx), s.Count)));
            I(Instruction.Create(Code.Test_rm64_r64, R64(Rdx), R64(Rdx)));
            I(Instruction.Create(Code.Cmovs_r64_rm64, R64(Rdx), R64(Rax)));
            I(Instruction.Create(Code.Mov_r64_rm64, R64(Rcx), R64(Rdx)));
        }
        int size = Bytes(elem);
        if (size == 16)
        {
            I(Instruction.Create(Code.Shl_rm64_imm8, R64(Rcx), 4));
            size = 1;
        }
        return new MemoryOperand(R64(StateReg), R64(Rcx), size, s.Offset, 1);
    }

    private void GetI(in IrStmt s)
    {
        var element = StateElement(s, s.Type);
        if (!InlineOps.IsNarrow(s.Type))
        {
            CopyWideFrom(s.Dst, element);
            return;
        }
        int d = DstReg(s.Dst);
        LoadMem(d, element, Bytes(s.Type));
        if (s.Type == IrType.I1) Canonical(d, s.Type);
        Commit(s.Dst, d);
    }

    private void PutI(in IrStmt s)
    {
        var element = StateElement(s, s.B.Type);
        if (!InlineOps.IsNarrow(s.B.Type)) CopyWide(element, s.B);
        else StoreMem(element, s.B, Bytes(s.B.Type), Rax);
    }

    private void Load(in IrStmt s, bool unused)
    {
        Load(Rax, s.A);
        if (s.ChecksAccess) CheckAccess(s.AccessBytes, write: false);
        if (unused) return;
        var at = new MemoryOperand(R64(Rax));
        if (!InlineOps.IsNarrow(s.Type))
        {
            CopyWideFrom(s.Dst, at);
            return;
        }
        int d = DstReg(s.Dst);
        LoadMem(d, at, Bytes(s.Type));
        if (s.Type == IrType.I1) Canonical(d, s.Type);
        Commit(s.Dst, d);
    }

    private void Store(in IrStmt s)
    {
        Load(Rax, s.A);
        if (s.ChecksAccess) CheckAccess(s.AccessBytes, write: true);
        var at = new MemoryOperand(R64(Rax));
        if (!InlineOps.IsNarrow(s.B.Type)) CopyWideToAddress(at, s.B);
        else StoreMem(at, s.B, Bytes(s.B.Type), Rcx);
    }

    /// <summary>Like <see cref="CopyWide"/> but keeps rax, which holds the address.</summary>
    private void CopyWideToAddress(MemoryOperand dst, IrValue src)
    {
        if (src.IsConst)
        {
            LoadConst(Rcx, src.Const);
            I(Instruction.Create(Code.Mov_rm64_r64, dst, R64(Rcx)));
            LoadConst(Rcx, src.ConstHi);
            I(Instruction.Create(Code.Mov_rm64_r64, Displaced(dst, 8), R64(Rcx)));
            return;
        }
        I(Instruction.Create(Code.Movdqu_xmm_xmmm128, Register.XMM15, WideSlot(src)));
        I(Instruction.Create(Code.Movdqu_xmmm128_xmm, dst, Register.XMM15));
    }

    /// <summary>
    /// Checks the access of <paramref name="bytes"/> at rax against the tool's addressability map when there
    /// is one, else against the page map. A refused access leaves the block with SigSegv at the current
    /// instruction. Clobbers rcx, rdx, r11.
    /// </summary>
    private void CheckAccess(int bytes, bool write)
    {
        if (_ctx.AccessCheck != null) CheckAddressable(bytes, write);
        else CheckPages(bytes, write);
    }

    /// <summary>Refuses the access at rax unless the page map marks the pages of its first and last byte readable (writable).</summary>
    private void CheckPages(int bytes, bool write)
    {
        var fault = _a.CreateLabel();
        int mask = write ? 2 : 1;
        I(Instruction.Create(Code.Mov_r64_rm64, R64(Rcx), R64(Rax)));
        I(Instruction.Create(Code.Shr_rm64_imm8, R64(Rcx), 28));
        I(Instruction.Create(Code.Cmp_rm64_imm32, R64(Rcx), 1 << 19));
        _a.jae(fault);
        I(Instruction.Create(Code.Mov_r64_imm64, R64(Rdx), (ulong)_ctx.PageMapLevel1));
        I(Instruction.Create(Code.Mov_r64_rm64, R64(Rdx), new MemoryOperand(R64(Rdx), R64(Rcx), 8)));
        I(Instruction.Create(Code.Test_rm64_r64, R64(Rdx), R64(Rdx)));
        _a.jz(fault);
        I(Instruction.Create(Code.Mov_r32_rm32, R(Rcx, 4), R(Rax, 4)));
        I(Instruction.Create(Code.Shr_rm32_imm8, R(Rcx, 4), 12));
        I(Instruction.Create(Code.Movzx_r32_rm16, R(Rcx, 4), R(Rcx, 2)));
        I(Instruction.Create(Code.Test_rm8_imm8, new MemoryOperand(R64(Rdx), R64(Rcx), 1), mask));
        _a.jz(fault);
        if (bytes > 1)
        {
            var cross = _a.CreateLabel();
            var back = _a.CreateLabel();
            I(Instruction.Create(Code.Mov_r32_rm32, R(Rcx, 4), R(Rax, 4)));
            I(Instruction.Create(Code.And_rm32_imm32, R(Rcx, 4), 0xFFF));
            I(Instruction.Create(Code.Cmp_rm32_imm32, R(Rcx, 4), 0x1000 - bytes));
            _a.ja(cross);
            _a.Label(ref back);
            if (write) _usesCheckWrite = true; else _usesCheckRead = true;
            var routine = write ? _checkWrite : _checkRead;
            _outOfLine.Add(() =>
            {
                _a.Label(ref cross);
                I(Instruction.Create(Code.Lea_r64_m, R64(R11), new MemoryOperand(R64(Rax), bytes - 1)));
                _a.call(routine);
                _a.jz(fault);
                _a.jmp(back);
            });
        }
        FaultExit(fault);
    }

    /// <summary>The out-of-line exit of a refused access at rax: SigSegv at the current instruction, FaultAddr = rax.</summary>
    private void FaultExit(Label fault)
    {
        ulong imark = _imark;
        int instructions = _instructions;
        _outOfLine.Add(() =>
        {
            _a.Label(ref fault);
            I(Instruction.Create(Code.Mov_rm64_r64, State(GuestState.OffFaultAddr), R64(Rax)));
            LoadConst(Rax, imark);
            ExitWithRax(JumpKind.SigSegv, instructions);
        });
    }

    /// <summary>Page check of the address in r11 against <paramref name="mask"/>; ZF set when refused. Clobbers rcx, rdx.</summary>
    private void PageCheckRoutine(ref Label entry, int mask)
    {
        var refused = _a.CreateLabel();
        _a.Label(ref entry);
        I(Instruction.Create(Code.Mov_r64_rm64, R64(Rcx), R64(R11)));
        I(Instruction.Create(Code.Shr_rm64_imm8, R64(Rcx), 28));
        I(Instruction.Create(Code.Cmp_rm64_imm32, R64(Rcx), 1 << 19));
        _a.jae(refused);
        I(Instruction.Create(Code.Mov_r64_imm64, R64(Rdx), (ulong)_ctx.PageMapLevel1));
        I(Instruction.Create(Code.Mov_r64_rm64, R64(Rdx), new MemoryOperand(R64(Rdx), R64(Rcx), 8)));
        I(Instruction.Create(Code.Test_rm64_r64, R64(Rdx), R64(Rdx)));
        _a.jz(refused);
        I(Instruction.Create(Code.Mov_r32_rm32, R(Rcx, 4), R(R11, 4)));
        I(Instruction.Create(Code.Shr_rm32_imm8, R(Rcx, 4), 12));
        I(Instruction.Create(Code.Movzx_r32_rm16, R(Rcx, 4), R(Rcx, 2)));
        I(Instruction.Create(Code.Test_rm8_imm8, new MemoryOperand(R64(Rdx), R64(Rcx), 1), mask));
        I(Instruction.Create(Code.Retnq));
        _a.Label(ref refused);
        I(Instruction.Create(Code.Xor_r32_rm32, R(Rcx, 4), R(Rcx, 4)));
        I(Instruction.Create(Code.Retnq));
    }

    private void Unop(in IrStmt s)
    {
        IrType t = s.Type;
        if (!InlineOps.IsNarrow(t))
        {
            WideUnop(s);
            return;
        }
        int d = DstReg(s.Dst);
        int bytes = Bytes(t);
        switch (s.Op)
        {
            case IrOp.Not when t == IrType.I1:
                Load(d, s.A);
                I(Instruction.Create(Code.Xor_rm32_imm32, R(d, 4), 1));
                break;
            case IrOp.Not:
                Load(d, s.A);
                I(Instruction.Create(Not.At(bytes), R(d, bytes)));
                break;
            case IrOp.Neg:
                Load(d, s.A);
                if (t != IrType.I1) I(Instruction.Create(Neg.At(bytes), R(d, bytes)));
                break;
            case IrOp.ZeroExtend:
                Load(d, s.A);
                break;
            case IrOp.SignExtend:
                Load(d, s.A);
                SignExtend64(d, s.A.Type);
                Canonical(d, t);
                break;
            case IrOp.Truncate when s.A.Type.IsWide():
                if (s.A.IsConst) LoadConst(d, s.A.Const & t.Mask());
                else LoadMem(d, WideSlot(s.A), Bytes(t));
                if (t == IrType.I1) Canonical(d, t);
                break;
            case IrOp.Truncate:
                Load(d, s.A);
                Canonical(d, t);
                break;
            case IrOp.HighHalf when s.A.Type.IsWide():
                if (s.A.IsConst) LoadConst(d, s.A.ConstHi);
                else LoadMem(d, Displaced(WideSlot(s.A), 8), 8);
                break;
            case IrOp.HighHalf:
                Load(d, s.A);
                I(Instruction.Create(Code.Shr_rm64_imm8, R64(d), t.Bits()));
                break;
            case IrOp.ByteSwap when t == IrType.I16:
                Load(d, s.A);
                I(Instruction.Create(Code.Rol_rm16_imm8, R(d, 2), 8));
                break;
            case IrOp.ByteSwap:
                Load(d, s.A);
                I(Instruction.Create(t == IrType.I32 ? Code.Bswap_r32 : Code.Bswap_r64, R(d, bytes)));
                break;
            case IrOp.Bitcast:
                Load(d, s.A);
                break;
            case IrOp.FNeg or IrOp.FAbs when t == IrType.F32:
                Load(d, s.A);
                I(s.Op == IrOp.FNeg
                    ? Instruction.Create(Code.Xor_rm32_imm32, R(d, 4), unchecked((int)0x80000000))
                    : Instruction.Create(Code.And_rm32_imm32, R(d, 4), 0x7FFFFFFF));
                break;
            case IrOp.FNeg or IrOp.FAbs:
                Load(d, s.A);
                I(Instruction.Create(s.Op == IrOp.FNeg ? Code.Btc_rm64_imm8 : Code.Btr_rm64_imm8, R64(d), 63));
                break;
            default: throw new NotSupportedException($"inline {s}");
        }
        Commit(s.Dst, d);
    }

    private void WideUnop(in IrStmt s)
    {
        var dst = Frame(_homes.Slot[s.Dst]);
        if (s.Op == IrOp.Bitcast)
        {
            CopyWide(dst, s.A);
            return;
        }
        Load(Rax, s.A);
        if (s.Op == IrOp.SignExtend) SignExtend64(Rax, s.A.Type);
        I(Instruction.Create(Code.Mov_rm64_r64, dst, R64(Rax)));
        if (s.Op == IrOp.SignExtend)
        {
            I(Instruction.Create(Code.Sar_rm64_imm8, R64(Rax), 63));
            I(Instruction.Create(Code.Mov_rm64_r64, Displaced(dst, 8), R64(Rax)));
        }
        else I(Instruction.Create(Code.Mov_rm64_imm32, Displaced(dst, 8), 0));
    }

    private void Binop(in IrStmt s)
    {
        switch (s.Op)
        {
            case IrOp.Add: Arithmetic(s, X64.Add, commutative: true); break;
            case IrOp.Sub: Arithmetic(s, X64.Sub, commutative: false); break;
            case IrOp.And: Arithmetic(s, X64.And, commutative: true); break;
            case IrOp.Or: Arithmetic(s, X64.Or, commutative: true); break;
            case IrOp.Xor: Arithmetic(s, X64.Xor, commutative: true); break;
            case IrOp.Mul: Multiply(s); break;
            case IrOp.MulHiU or IrOp.MulHiS: MultiplyHigh(s); break;
            case IrOp.Shl or IrOp.Shr or IrOp.Sar or IrOp.Rol or IrOp.Ror: ShiftOp(s); break;
            case IrOp.Concat: Concat(s); break;
            default: Compare(s); break;
        }
    }

    private void Arithmetic(in IrStmt s, Alu op, bool commutative)
    {
        IrValue a = s.A, b = s.B;
        int d = DstReg(s.Dst);
        if (Home(b) == d && Home(a) != d && commutative) (a, b) = (b, a);
        // b would be overwritten by the copy of a: compute in rax instead.
        int work = Home(b) == d && Home(a) != d ? Rax : d;
        Load(work, a);
        AluOp(op, Bytes(s.Type), work, b, Rcx);
        Finish(s.Dst, work, d);
    }

    /// <summary>Moves a result computed in <paramref name="work"/> to its home.</summary>
    private void Finish(int temp, int work, int d)
    {
        if (work != d) I(Instruction.Create(Code.Mov_r64_rm64, R64(d), R64(work)));
        Commit(temp, d);
    }

    private void Multiply(in IrStmt s)
    {
        IrValue a = s.A, b = s.B;
        int d = DstReg(s.Dst);
        if (Home(b) == d && Home(a) != d) (a, b) = (b, a);
        Load(d, a);
        // The low bits of a 64-bit product of zero-extended values are the product at any width.
        if (b.IsConst && FitsImmediate(b.Const, 8))
            I(Instruction.Create(Code.Imul_r64_rm64_imm32, R64(d), R64(d), (int)b.Const));
        else if (b.IsTemp && Home(b) < 0)
            I(Instruction.Create(Code.Imul_r64_rm64, R64(d), Frame(SlotOf(b))));
        else
            I(Instruction.Create(Code.Imul_r64_rm64, R64(d), R64(InReg(b, Rcx))));
        Canonical(d, s.Type);
        Commit(s.Dst, d);
    }

    private void MultiplyHigh(in IrStmt s)
    {
        bool signed = s.Op == IrOp.MulHiS;
        int d = DstReg(s.Dst);
        Load(Rax, s.A);
        if (s.Type == IrType.I64)
        {
            var code = signed ? Code.Imul_rm64 : Code.Mul_rm64;
            if (s.B.IsTemp && Home(s.B) < 0) I(Instruction.Create(code, Frame(SlotOf(s.B))));
            else I(Instruction.Create(code, R64(InReg(s.B, Rcx))));
            I(Instruction.Create(Code.Mov_r64_rm64, R64(d), R64(Rdx)));
        }
        else
        {
            Load(Rcx, s.B);
            if (signed)
            {
                SignExtend64(Rax, s.Type);
                SignExtend64(Rcx, s.Type);
            }
            I(Instruction.Create(Code.Imul_r64_rm64, R64(Rax), R64(Rcx)));
            I(Instruction.Create(signed ? Code.Sar_rm64_imm8 : Code.Shr_rm64_imm8, R64(Rax), s.Type.Bits()));
            Canonical(Rax, s.Type);
            I(Instruction.Create(Code.Mov_r64_rm64, R64(d), R64(Rax)));
        }
        Commit(s.Dst, d);
    }

    private void ShiftOp(in IrStmt s)
    {
        var op = s.Op switch
        {
            IrOp.Shl => X64.Shl,
            IrOp.Shr => X64.Shr,
            IrOp.Sar => X64.Sar,
            IrOp.Rol => X64.Rol,
            _ => X64.Ror,
        };
        int d = DstReg(s.Dst);
        int bytes = Bytes(s.Type);
        if (s.B.IsConst)
        {
            // Out-of-range constant amounts as IrEvaluator defines them.
            int bits = s.Type.Bits();
            int amount = (int)s.B.Const;
            if (s.Op is IrOp.Shl or IrOp.Shr && amount >= bits) LoadConst(d, 0);
            else
            {
                amount = s.Op switch { IrOp.Sar => Math.Min(amount, bits - 1), IrOp.Rol or IrOp.Ror => amount % bits, _ => amount };
                Load(d, s.A);
                if (amount != 0) I(Instruction.Create(op.ByImm.At(bytes), R(d, bytes), amount));
            }
        }
        else
        {
            Load(Rcx, s.B);
            Load(d, s.A);
            I(Instruction.Create(op.ByCl.At(bytes), R(d, bytes), Register.CL));
        }
        Commit(s.Dst, d);
    }

    private void Concat(in IrStmt s)
    {
        if (s.Type.IsWide())
        {
            var dst = Frame(_homes.Slot[s.Dst]);
            Load(Rax, s.B);
            I(Instruction.Create(Code.Mov_rm64_r64, dst, R64(Rax)));
            Load(Rax, s.A);
            I(Instruction.Create(Code.Mov_rm64_r64, Displaced(dst, 8), R64(Rax)));
            return;
        }
        int d = DstReg(s.Dst);
        // The shift would destroy the low half if it shares the result's register.
        int work = Home(s.B) == d ? Rax : d;
        Load(work, s.A);
        I(Instruction.Create(Code.Shl_rm64_imm8, R64(work), s.A.Type.Bits()));
        AluOp(X64.Or, 8, work, s.B, Rcx);
        Finish(s.Dst, work, d);
    }

    private void Compare(in IrStmt s)
    {
        var set = s.Op switch
        {
            IrOp.CmpEQ => Code.Sete_rm8,
            IrOp.CmpNE => Code.Setne_rm8,
            IrOp.CmpLTU => Code.Setb_rm8,
            IrOp.CmpLTS => Code.Setl_rm8,
            IrOp.CmpLEU => Code.Setbe_rm8,
            IrOp.CmpLES => Code.Setle_rm8,
            _ => throw new NotSupportedException($"inline {s}"),
        };
        int d = DstReg(s.Dst);
        CompareFlags(s);
        I(Instruction.Create(set, R(d, 1)));
        I(Instruction.Create(Code.Movzx_r32_rm8, R(d, 4), R(d, 1)));
        Commit(s.Dst, d);
    }

    /// <summary>Sets the flags for a compare statement: cmp (or test against zero) at the operands' width.</summary>
    private void CompareFlags(in IrStmt s)
    {
        int bytes = Bytes(s.A.Type);
        int a = InReg(s.A, Rax);
        if (s.B.IsConst && s.B.Const == 0) I(Instruction.Create(TestRmR.At(bytes), R(a, bytes), R(a, bytes)));
        else AluOp(X64.Cmp, bytes, a, s.B, Rcx);
    }

    /// <summary>An inline compare whose only use is the side exit right after it: one cmp and jcc.</summary>
    private bool IsFusedCompare(Span<IrStmt> stmts, int i)
    {
        if (i + 1 >= stmts.Length) return false;
        ref readonly var cmp = ref stmts[i];
        ref readonly var exit = ref stmts[i + 1];
        return cmp.Kind == StmtKind.Binop && cmp.Op is >= IrOp.CmpEQ and <= IrOp.CmpLES && InlineOps.CanInline(cmp)
            && exit.Kind == StmtKind.Exit && exit.A.IsTemp && exit.A.Temp == cmp.Dst && _lastUse[cmp.Dst] == i + 1;
    }

    private void BranchOnCompare(in IrStmt cmp, in IrStmt exit)
    {
        var taken = _a.CreateLabel();
        CompareFlags(cmp);
        switch (cmp.Op)
        {
            case IrOp.CmpEQ: _a.je(taken); break;
            case IrOp.CmpNE: _a.jne(taken); break;
            case IrOp.CmpLTU: _a.jb(taken); break;
            case IrOp.CmpLTS: _a.jl(taken); break;
            case IrOp.CmpLEU: _a.jbe(taken); break;
            default: _a.jle(taken); break;
        }
        ExitStub(taken, exit);
    }

    /// <summary>QuotU/QuotS/RemU/RemS of (high, low) by divisor, through a 64- or 128-bit host division.</summary>
    private void Divide(in IrStmt s)
    {
        bool signed = s.Op is IrOp.QuotS or IrOp.RemS;
        bool remainder = s.Op is IrOp.RemU or IrOp.RemS;
        IrType t = s.Type;
        int d = DstReg(s.Dst);
        if (t == IrType.I64)
        {
            Load(Rdx, s.A);
            Load(Rax, s.B);
        }
        else
        {
            // The double-width dividend fits a 64-bit register.
            Load(Rax, s.A);
            I(Instruction.Create(Code.Shl_rm64_imm8, R64(Rax), t.Bits()));
            Load(Rdx, s.B);
            I(Instruction.Create(Code.Or_r64_rm64, R64(Rax), R64(Rdx)));
            if (signed)
            {
                SignExtend64(Rax, IrTypes.IntOfBytes(2 * Bytes(t)));
                I(Instruction.Create(Code.Cqo));
            }
            else I(Instruction.Create(Code.Xor_r32_rm32, R(Rdx, 4), R(Rdx, 4)));
        }
        Load(Rcx, s.C);
        var faults = _a.CreateLabel();
        var done = _a.CreateLabel();
        if (signed)
        {
            // A zero divisor, or -1 dividing the most negative value, would raise #DE in the host.
            var negate = _a.CreateLabel();
            SignExtend64(Rcx, t);
            I(Instruction.Create(Code.Test_rm64_r64, R64(Rcx), R64(Rcx)));
            _a.jz(faults);
            I(Instruction.Create(Code.Cmp_rm64_imm32, R64(Rcx), -1));
            _a.je(negate);
            I(Instruction.Create(Code.Idiv_rm64, R64(Rcx)));
            _outOfLine.Add(() =>
            {
                _a.Label(ref negate);
                I(Instruction.Create(Code.Neg_rm64, R64(Rax)));
                I(Instruction.Create(Code.Xor_r32_rm32, R(Rdx, 4), R(Rdx, 4)));
                _a.jmp(done);
            });
        }
        else
        {
            // Covers a zero divisor and a quotient wider than 64 bits.
            I(Instruction.Create(Code.Cmp_rm64_r64, R64(Rdx), R64(Rcx)));
            _a.jae(faults);
            I(Instruction.Create(Code.Div_rm64, R64(Rcx)));
        }
        _a.Label(ref done);
        _outOfLine.Add(() =>
        {
            // What IrEvaluator gives a division the contract says the lifter never emits.
            _a.Label(ref faults);
            I(Instruction.Create(Code.Xor_r32_rm32, R(Rax, 4), R(Rax, 4)));
            I(Instruction.Create(Code.Xor_r32_rm32, R(Rdx, 4), R(Rdx, 4)));
            _a.jmp(done);
        });
        int result = remainder ? Rdx : Rax;
        Canonical(result, t);
        I(Instruction.Create(Code.Mov_r64_rm64, R64(d), R64(result)));
        Commit(s.Dst, d);
    }

    private void Ite(in IrStmt s)
    {
        if (!InlineOps.IsNarrow(s.Type))
        {
            var dst = Frame(_homes.Slot[s.Dst]);
            if (s.A.IsConst)
            {
                CopyWide(dst, s.A.Const != 0 ? s.B : s.C);
                return;
            }
            var skip = _a.CreateLabel();
            CopyWide(dst, s.C);
            TestCondition(s.A);
            _a.jz(skip);
            CopyWide(dst, s.B);
            _a.Label(ref skip);
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
        if (s.B.IsTemp && Home(s.B) < 0) I(Instruction.Create(Code.Cmovne_r64_rm64, R64(work), Frame(SlotOf(s.B))));
        else I(Instruction.Create(Code.Cmovne_r64_rm64, R64(work), R64(s.B.IsConst ? Rcx : Home(s.B))));
        Finish(s.Dst, work, d);
    }

    /// <summary>Sets ZF from an I1 temp (clear when true).</summary>
    private void TestCondition(IrValue cond)
    {
        if (Home(cond) >= 0) I(Instruction.Create(Code.Test_rm8_r8, R(Home(cond), 1), R(Home(cond), 1)));
        else I(Instruction.Create(Code.Cmp_rm8_imm8, Frame(SlotOf(cond)), 0));
    }

    private static readonly int[] ArgRegisters = [Rsi, Rdx, Rcx, R8];

    /// <summary>
    /// A helper call; a guarded one is jumped over (its result 0) when the guard is 0. With an access check,
    /// the memory a dirty helper declares is checked first, as a load or store would be.
    /// </summary>
    private void Call(in IrStmt s, bool unused)
    {
        var skip = _a.CreateLabel();
        var join = _a.CreateLabel();
        // A constant guard is normally folded away by the optimiser; 1 is a plain call.
        bool guarded = s.A.IsTemp;
        if (s.A.IsConst && (s.A.Const & 1) == 0) I(Instruction.Create(Code.Xor_r32_rm32, R(Rax, 4), R(Rax, 4)));
        else
        {
            if (guarded)
            {
                TestCondition(s.A);
                _a.jz(skip);
            }
            CheckHelperMemory(s);
            CallHelper(s);
            if (guarded)
            {
                _a.jmp(join);
                _a.Label(ref skip);
                I(Instruction.Create(Code.Xor_r32_rm32, R(Rax, 4), R(Rax, 4)));
                _a.Label(ref join);
            }
        }
        if (unused) return;
        int d = DstReg(s.Dst);
        if (d != Rax) I(Instruction.Create(Code.Mov_r64_rm64, R64(d), R64(Rax)));
        Commit(s.Dst, d);
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
        // Staged through the stack: an argument may live in a register another argument is passed in.
        for (int k = 0; k < args.Length; k++)
        {
            var v = args[k];
            if (v.IsConst && FitsImmediate(v.Const, 8)) I(Instruction.Create(Code.Pushq_imm32, (int)v.Const));
            else if (v.IsTemp && Home(v) < 0) I(Instruction.Create(Code.Push_rm64, Frame(SlotOf(v) + 8 * k)));
            else I(Instruction.Create(Code.Push_r64, R64(InReg(v, Rax))));
        }
        for (int k = args.Length - 1; k >= 0; k--) I(Instruction.Create(Code.Pop_r64, R64(ArgRegisters[k])));
        I(Instruction.Create(Code.Mov_r64_rm64, R64(Rdi), R64(StateReg)));
        I(Instruction.Create(Code.Mov_r64_imm64, R64(Rax), (ulong)s.Helper!.Function));
        I(Instruction.Create(Code.Call_rm64, R64(Rax)));
    }

    /// <summary>An operation the backend does not inline: IrEvaluator.EvalNative on Value128 operands in the frame.</summary>
    private void Evaluate(in IrStmt s)
    {
        IrValue[] operands = s.Kind switch
        {
            StmtKind.Unop => [s.A],
            StmtKind.Binop => [s.A, s.B],
            _ => [s.A, s.B, s.C],
        };
        for (int k = 0; k < operands.Length; k++)
        {
            var slot = Frame(BlockFrame.EvalArgs + 16 * k);
            var v = operands[k];
            if (!InlineOps.IsNarrow(v.Type)) CopyWide(slot, v);
            else
            {
                Load(Rax, v);
                I(Instruction.Create(Code.Mov_rm64_r64, slot, R64(Rax)));
                I(Instruction.Create(Code.Mov_rm64_imm32, Displaced(slot, 8), 0));
            }
        }
        bool wide = !InlineOps.IsNarrow(s.Type);
        if (ConstantLaneOffset(s) is int offset) MoveLane(s, offset, wide);
        else if (SseOps.MoveMask(s) is var mask and not Code.INVALID)
        {
            I(Instruction.Create(Code.Movdqu_xmm_xmmm128, Register.XMM0, Frame(BlockFrame.EvalArgs)));
            I(Instruction.Create(mask, R(Rax, 4), Register.XMM0));
            I(Instruction.Create(Code.Mov_rm64_r64, Frame(BlockFrame.EvalResult), R64(Rax)));
        }
        else if (SseOps.TryGet(s, out var sse)) Sse(s, sse, operands.Length, wide);
        else CallEvaluator(s, operands.Length, wide);
        if (wide) return;
        int d = DstReg(s.Dst);
        LoadMem(d, Frame(BlockFrame.EvalResult), Bytes(s.Type));
        if (s.Type == IrType.I1) Canonical(d, s.Type);
        Commit(s.Dst, d);
    }

    /// <summary>The one SSE instruction that is the operation, on the operands staged in the frame (unaligned loads).</summary>
    private void Sse(in IrStmt s, Code code, int operands, bool wide)
    {
        I(Instruction.Create(Code.Movdqu_xmm_xmmm128, Register.XMM0, Frame(BlockFrame.EvalArgs)));
        if (operands == 1) I(Instruction.Create(code, Register.XMM0, Register.XMM0));
        else if (operands == 2)
        {
            I(Instruction.Create(Code.Movdqu_xmm_xmmm128, Register.XMM1, Frame(BlockFrame.EvalArgs + 16)));
            I(Instruction.Create(code, Register.XMM0, Register.XMM1));
        }
        else
        {
            // A fused multiply-add in its 132 form: xmm0 = a * xmm2 (b) + xmm1 (c).
            I(Instruction.Create(Code.Movdqu_xmm_xmmm128, Register.XMM2, Frame(BlockFrame.EvalArgs + 16)));
            I(Instruction.Create(Code.Movdqu_xmm_xmmm128, Register.XMM1, Frame(BlockFrame.EvalArgs + 32)));
            I(Instruction.Create(code, Register.XMM0, Register.XMM1, Register.XMM2));
        }
        I(Instruction.Create(Code.Movdqu_xmmm128_xmm, Frame(wide ? _homes.Slot[s.Dst] : BlockFrame.EvalResult), Register.XMM0));
    }

    /// <summary>
    /// Byte offset of the lane a VExtractLane/VInsertLane with a constant in-range index touches, when
    /// the scalar has the lane's width (extract) or at least it (insert, which keeps the low bytes).
    /// </summary>
    private static int? ConstantLaneOffset(in IrStmt s)
    {
        if (s.Op is not (IrOp.VExtractLane or IrOp.VInsertLane) || !s.B.IsConst || s.A.Type != IrType.V128) return null;
        int bits = s.Lane.Bits();
        if (bits is not (8 or 16 or 32 or 64) || s.B.Const >= (ulong)(128 / bits)) return null;
        bool fits = s.Op == IrOp.VExtractLane
            ? InlineOps.IsNarrow(s.Type) && s.Type.Bits() == bits
            : s.Type == IrType.V128 && InlineOps.IsNarrow(s.C.Type) && s.C.Type.Bits() >= bits;
        return fits ? (int)s.B.Const * bits / 8 : null;
    }

    /// <summary>A lane read or written in place in the frame: the operands are staged at EvalArgs.</summary>
    private void MoveLane(in IrStmt s, int offset, bool wide)
    {
        int bytes = s.Lane.Bits() / 8;
        if (!wide)
        {
            LoadMem(Rax, Frame(BlockFrame.EvalArgs + offset), bytes);
            I(Instruction.Create(Code.Mov_rm64_r64, Frame(BlockFrame.EvalResult), R64(Rax)));
            return;
        }
        int slot = _homes.Slot[s.Dst];
        I(Instruction.Create(Code.Movdqu_xmm_xmmm128, Register.XMM0, Frame(BlockFrame.EvalArgs)));
        I(Instruction.Create(Code.Movdqu_xmmm128_xmm, Frame(slot), Register.XMM0));
        LoadMem(Rax, Frame(BlockFrame.EvalArgs + 32), bytes);
        I(Instruction.Create(MovRmR.At(bytes), Frame(slot + offset), R(Rax, bytes)));
    }

    private void CallEvaluator(in IrStmt s, int operands, bool wide)
    {
        I(Instruction.Create(Code.Lea_r64_m, R64(Rax), Frame(wide ? _homes.Slot[s.Dst] : BlockFrame.EvalResult)));
        I(Instruction.Create(Code.Mov_rm64_r64, Frame(BlockFrame.OutgoingArg), R64(Rax)));
        I(Instruction.Create(Code.Mov_r32_imm32, R(Rdi, 4), (uint)operands));
        I(Instruction.Create(Code.Mov_r32_imm32, R(Rsi, 4), (uint)s.Op));
        I(Instruction.Create(Code.Mov_r32_imm32, R(Rdx, 4), (uint)s.Type));
        I(Instruction.Create(Code.Mov_r32_imm32, R(Rcx, 4), (uint)s.A.Type));
        I(Instruction.Create(Code.Mov_r32_imm32, R(R8, 4), (uint)s.Lane));
        I(Instruction.Create(Code.Lea_r64_m, R64(R9), Frame(BlockFrame.EvalArgs)));
        I(Instruction.Create(Code.Mov_r64_imm64, R64(Rax), (ulong)(delegate* unmanaged<int, int, int, int, int, Value128*, Value128*, void>)&IrEvaluator.EvalNative));
        I(Instruction.Create(Code.Call_rm64, R64(Rax)));
    }

    // ---- exits ----

    private void SideExit(in IrStmt s)
    {
        if (s.A.IsConst)
        {
            if (s.A.Const != 0) ExitTo(s.Addr, s.JumpKind, _instructions);
            return;
        }
        var taken = _a.CreateLabel();
        TestCondition(s.A);
        _a.jnz(taken);
        ExitStub(taken, s);
    }

    /// <summary>The out-of-line exit a taken side-exit branch goes to.</summary>
    private void ExitStub(Label taken, in IrStmt s)
    {
        ulong target = s.Addr;
        var kind = s.JumpKind;
        int instructions = _instructions;
        _outOfLine.Add(() =>
        {
            _a.Label(ref taken);
            ExitTo(target, kind, instructions);
        });
    }

    private void Next()
    {
        var next = _sb.Next;
        if (next.IsConst)
        {
            ExitTo(next.Const, _sb.NextKind, _instructions);
            return;
        }
        Load(Rax, next);
        if (!ExitSite.IsChainable(_sb.NextKind) || !_ctx.Chaining)
        {
            ExitWithRax(_sb.NextKind, _instructions);
            return;
        }
        WriteExit(_sb.NextKind, _instructions);
        I(Instruction.Create(Code.Add_rm64_imm32, R64(Rsp), _frameSize));
        _a.jmp((ulong)_ctx.Cache.LookupStub);
    }

    /// <summary>Leaves for a constant target; chainable kinds get a patchable jump straight to the target's block.</summary>
    /// <summary>
    /// Leaves for a constant target. Chainable kinds get a patchable jump straight to the target's
    /// block; only the path back to the dispatcher writes the exit fields, since a chained block
    /// writes its own.
    /// </summary>
    private void ExitTo(ulong target, JumpKind kind, int instructions)
    {
        if (!ExitSite.IsChainable(kind))
        {
            LoadConst(Rax, target);
            ExitWithRax(kind, instructions);
            return;
        }
        var site = _a.CreateLabel();
        var unchained = _a.CreateLabel();
        CountInstructions(instructions);
        I(Instruction.Create(Code.Add_rm64_imm32, R64(Rsp), _frameSize));
        I(Instruction.Create(Code.Dec_rm32, Rip(_ctx.Cache.BudgetAddress)));
        _a.jz(unchained);
        _a.Label(ref site);
        _a.db(0xE9, 0, 0, 0, 0); // jmp rel32 to the next instruction until chained
        _a.Label(ref unchained);
        LoadConst(Rax, target);
        I(Instruction.Create(Code.Mov_rm64_r64, State(GuestState.OffRip), R64(Rax)));
        I(Instruction.Create(Code.Mov_rm64_imm32, State(GuestState.OffExitKind), (int)kind));
        _a.lea(AssemblerRegisters.rcx, AssemblerRegisters.__[site]);
        I(Instruction.Create(Code.Mov_rm64_r64, State(GuestState.OffExitAddr), R64(Rcx)));
        _a.jmp((ulong)_ctx.Cache.PopReturnStub);
        _chainSites.Add((site, target));
    }

    private void ExitWithRax(JumpKind kind, int instructions)
    {
        WriteExit(kind, instructions);
        _a.jmp(_epilogue);
    }

    private void CountInstructions(int instructions)
    {
        if (instructions > 0) I(Instruction.Create(Code.Add_rm64_imm32, State(GuestState.OffInstrCount), instructions));
    }

    /// <summary>Leaves rax as the next RIP with <paramref name="kind"/>, for the dispatcher (no chain site).</summary>
    private void WriteExit(JumpKind kind, int instructions)
    {
        CountInstructions(instructions);
        I(Instruction.Create(Code.Mov_rm64_r64, State(GuestState.OffRip), R64(Rax)));
        I(Instruction.Create(Code.Mov_rm64_imm32, State(GuestState.OffExitKind), (int)kind));
        I(Instruction.Create(Code.Mov_rm64_imm32, State(GuestState.OffExitAddr), 0));
    }
}
