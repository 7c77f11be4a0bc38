using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Jit.X64;

namespace Memcheck.Engine.Jit;

/// <summary>
/// How a block enters and leaves. Every block starts with the budget check (the dispatcher's event check, as
/// Valgrind places it; forward jumps enter past it), so a way from one block into another is a bare branch.
/// Chainable constant exits end in a patchable <c>jmp rel32</c>, or are the side exit's own <c>jcc rel32</c> when
/// nothing is left to do on the way, that goes to the target's translation once chained and to a stub returning to
/// the dispatcher until then; indirect ones go through the shared lookup stub; the rest (syscalls, faults, ...)
/// return to the dispatcher. Rare code (taken side exits, fault exits, check slow paths) is collected as
/// <see cref="OutOfLine"/> records and emitted after the block's straight-line code.
/// </summary>
internal sealed unsafe partial class BlockEmitter
{
    private enum OutOfLineKind : byte { Exit, Unchained, OutOfBudget, Fault, PageCheck, AccessCheck, DivisionGuard, HelperCall }

    /// <summary>
    /// Code placed after the block: what it does, where it starts (<see cref="Label"/>) and where it goes back to
    /// (<see cref="Back"/>, -1 for none); the other fields matter to some kinds only, as the factories say.
    /// </summary>
    private readonly record struct OutOfLine(OutOfLineKind Kind, int Label, int Back = -1)
    {
        /// <summary>Exit, Unchained: target; Fault: the faulting instruction; access checks: the instruction, for the slow path.</summary>
        public ulong Address { get; init; }
        public JumpKind Jump { get; init; }
        /// <summary>Guest instructions passed by then, for InstrCount.</summary>
        public int Instructions { get; init; }
        /// <summary>Access checks: the access's size and direction, the unaligned case's label and the fault exit.</summary>
        public int Bytes { get; init; }
        public bool Write { get; init; }
        public int General { get; init; }
        public int Fault { get; init; }
        /// <summary>DivisionGuard: a signed division (then -1 is a divisor of its own).</summary>
        public bool Signed { get; init; }
        /// <summary>
        /// HelperCall: the Call statement's index, whether its result is unused, and whether the guest access after it
        /// (fused with its fast case) is done here too.
        /// </summary>
        public int Statement { get; init; }
        public bool Unused { get; init; }
        public bool Access { get; init; }
        /// <summary>Unchained: the label of the chain site's rel32.</summary>
        public int Site { get; init; }

        public static OutOfLine Exit(int label, ulong target, JumpKind kind, int instructions) =>
            new(OutOfLineKind.Exit, label) { Address = target, Jump = kind, Instructions = instructions };

        public static OutOfLine UnchainedExit(int label, int site, ulong target) =>
            new(OutOfLineKind.Unchained, label) { Address = target, Site = site };

        public static OutOfLine OutOfBudget(int label) => new(OutOfLineKind.OutOfBudget, label);

        public static OutOfLine FaultAt(int label, ulong imark, int instructions) =>
            new(OutOfLineKind.Fault, label) { Address = imark, Jump = JumpKind.SigSegv, Instructions = instructions };

        public static OutOfLine PageCheck(int label, int back, int bytes, bool write, int fault) =>
            new(OutOfLineKind.PageCheck, label, back) { Bytes = bytes, Write = write, Fault = fault };

        public static OutOfLine AccessCheck(int label, int back, ulong imark, int bytes, bool write, int general, int fault) =>
            new(OutOfLineKind.AccessCheck, label, back) { Address = imark, Bytes = bytes, Write = write, General = general, Fault = fault };

        public static OutOfLine DivisionGuard(int label, int back, bool signed) =>
            new(OutOfLineKind.DivisionGuard, label, back) { Signed = signed };

        public static OutOfLine HelperCall(int label, int back, int statement, bool unused, ulong imark, int instructions) =>
            new(OutOfLineKind.HelperCall, label, back) { Statement = statement, Unused = unused, Address = imark, Instructions = instructions };
    }

    private void EmitOutOfLine(in OutOfLine o)
    {
        switch (o.Kind)
        {
            case OutOfLineKind.Exit:
                _a.Bind(o.Label);
                ExitTo(o.Address, o.Jump, o.Instructions);
                break;
            case OutOfLineKind.Unchained:
                UnchainedStub(o.Label, o.Site, o.Address);
                break;
            case OutOfLineKind.OutOfBudget:
                // Nothing of the block ran: the dispatcher runs it again from its start.
                _a.Bind(o.Label);
                LoadConst(Rax, _sb.GuestAddress);
                I(Instruction.Create(Code.Mov_r32_imm32, Register.ECX, (uint)JumpKind.Boring));
                _a.Jump((ulong)_shared.ExitWithKind);
                break;
            case OutOfLineKind.Fault:
                // rax holds the refused address.
                _a.Bind(o.Label);
                I(Instruction.Create(Code.Mov_rm64_r64, State(GuestState.OffFaultAddr), Register.RAX));
                LoadConst(Rax, o.Address);
                ExitWithRax(JumpKind.SigSegv, o.Instructions);
                break;
            case OutOfLineKind.PageCheck:
                _a.Bind(o.Label);
                PageRoutine(o.Bytes, o.Write, o.Fault);
                _a.Jump(o.Back);
                break;
            case OutOfLineKind.AccessCheck:
                AccessCheckSlowPath(o);
                break;
            case OutOfLineKind.DivisionGuard:
                DivisionGuard(o);
                break;
            case OutOfLineKind.HelperCall:
                HelperCallOutOfLine(o);
                break;
        }
    }

    private void SideExit(in IrStmt s)
    {
        if (s.A.IsConst)
        {
            if (s.A.Const != 0) ExitTo(s.Addr, s.JumpKind, _instructions);
            return;
        }
        TestCondition(s.A);
        BranchToExit(ConditionCode.ne, s.Addr, s.JumpKind);
    }

    /// <summary>
    /// An inline compare whose only use is the side exit right after it, or the negation right after it that only
    /// that exit uses (a jcc's inverse, a loop's way out once unrolled): one cmp and jcc. How many statements after
    /// the compare the exit is, 0 for none.
    /// </summary>
    private int FusedExitDistance(Span<IrStmt> stmts, int i)
    {
        ref readonly var cmp = ref stmts[i];
        if (cmp.Kind != StmtKind.Binop || cmp.Op is < IrOp.CmpEQ or > IrOp.CmpLES || !InlineForms.Covers(cmp)) return 0;
        if (IsExitOn(stmts, i + 1, cmp.Dst)) return 1;
        if (i + 1 >= stmts.Length || _allocator.LastUse[cmp.Dst] != i + 1) return 0;
        ref readonly var not = ref stmts[i + 1];
        bool negates = not is { Kind: StmtKind.Binop, Op: IrOp.Xor, Type: IrType.I1, B: { IsConst: true, Const: 1 } }
            && not.A.IsTemp && not.A.Temp == cmp.Dst;
        return negates && IsExitOn(stmts, i + 2, not.Dst) ? 2 : 0;
    }

    /// <summary>Whether statement <paramref name="at"/> is a side exit on <paramref name="guard"/>, its last use.</summary>
    private bool IsExitOn(Span<IrStmt> stmts, int at, int guard) =>
        at < stmts.Length && stmts[at] is { Kind: StmtKind.Exit, A.IsTemp: true } exit && exit.A.Temp == guard
        && _allocator.LastUse[guard] == at;

    private void BranchOnCompare(in IrStmt cmp, in IrStmt exit, bool negated)
    {
        CompareFlags(cmp);
        BranchToExit(negated ? NegatedCompareCondition(cmp.Op) : CompareCondition(cmp.Op), exit.Addr, exit.JumpKind);
    }

    /// <summary>
    /// The block's first code: counts the entry against the budget, and leaves before doing anything once it has
    /// run out, so chained code returns to the dispatcher in bounded time (signals, thread switches).
    /// </summary>
    private void BudgetCheck()
    {
        if (!_ctx.Chaining) return;
        int outOfBudget = _a.NewLabel();
        I(Instruction.Create(Code.Dec_rm32, new MemoryOperand(Register.RIP, (long)_ctx.Cache.BudgetAddress)));
        _a.Jcc(ConditionCode.s, outOfBudget);
        _outOfLine.Add(OutOfLine.OutOfBudget(outOfBudget));
    }

    /// <summary>
    /// A side exit taken on <paramref name="condition"/>. With nothing to do on the way out its jcc is the chain site
    /// itself, so a chained loop back-edge is one branch; otherwise it goes to out-of-line code that ends in one.
    /// </summary>
    private void BranchToExit(ConditionCode condition, ulong target, JumpKind kind)
    {
        if (Chains(kind) && !HasWorkOnExit(_instructions))
        {
            int unchained = _a.NewLabel(), site = _a.NewLabel();
            _a.Jcc(condition, unchained);
            _a.BindLastRel32(site);
            _outOfLine.Add(OutOfLine.UnchainedExit(unchained, site, target));
            return;
        }
        int taken = _a.NewLabel();
        _a.Jcc(condition, taken);
        _outOfLine.Add(OutOfLine.Exit(taken, target, kind, _instructions));
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
        if (!Chains(_sb.NextKind))
        {
            ExitWithRax(_sb.NextKind, _instructions);
            return;
        }
        CountInstructions(_instructions);
        FreeExtra();
        I(Instruction.Create(Code.Mov_r32_imm32, Register.R11D, (uint)_sb.NextKind));
        _a.Jump((ulong)_shared.Lookup);
    }

    private bool Chains(JumpKind kind) => ExitSite.IsChainable(kind) && _ctx.Chaining;

    /// <summary>Whether leaving after <paramref name="instructions"/> needs code of its own (counting, freeing spill space).</summary>
    private bool HasWorkOnExit(int instructions) => (instructions > 0 && _ctx.CountInstructions) || _extra > 0;

    /// <summary>
    /// Leaves for a constant target. Chainable kinds get a patchable jump straight to the target's block; only
    /// the way back to the dispatcher (the shared unchained exit) writes the exit fields.
    /// </summary>
    private void ExitTo(ulong target, JumpKind kind, int instructions)
    {
        if (!Chains(kind))
        {
            LoadConst(Rax, target);
            ExitWithRax(kind, instructions);
            return;
        }
        int site = _a.NewLabel(), unchained = _a.NewLabel();
        CountInstructions(instructions);
        FreeExtra();
        _a.Jump(unchained);
        _a.BindLastRel32(site);
        UnchainedStub(unchained, site, target);
    }

    /// <summary>Where the chain site <paramref name="site"/> goes while unchained: the dispatcher, told the site to patch.</summary>
    private void UnchainedStub(int label, int site, ulong target)
    {
        _a.Bind(label);
        LoadConst(Rax, target);
        _a.EmitRipRelative(Instruction.Create(Code.Lea_r64_m, Register.RCX, new MemoryOperand(Register.RIP, 0L)), site);
        _a.Jump((ulong)_shared.UnchainedExit);
        _chainSites.Add((site, label, target));
    }

    /// <summary>Leaves rax as the next RIP with <paramref name="kind"/>, for the dispatcher (no chain site).</summary>
    private void ExitWithRax(JumpKind kind, int instructions)
    {
        CountInstructions(instructions);
        FreeExtra();
        I(Instruction.Create(Code.Mov_r32_imm32, Register.ECX, (uint)kind));
        _a.Jump((ulong)_shared.ExitWithKind);
    }

    private void CountInstructions(int instructions)
    {
        if (instructions > 0 && _ctx.CountInstructions) I(Instruction.Create(Code.Add_rm64_imm32, State(GuestState.OffInstrCount), instructions));
    }

    /// <summary>Gives back the spill space this block reserved beyond the shared frame.</summary>
    private void FreeExtra()
    {
        if (_extra > 0) I(Instruction.Create(Code.Add_rm64_imm32, Register.RSP, _extra));
    }
}
