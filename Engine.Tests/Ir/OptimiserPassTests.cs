using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Ir.IrType;

namespace Memcheck.Engine.Tests.Ir;

/// <summary>Each pass removes what it should, and keeps what it must.</summary>
public class OptimiserPassTests
{
    private static int CountOf(Superblock sb, StmtKind kind)
    {
        int n = 0;
        foreach (ref readonly var s in sb.Statements) if (s.Kind == kind) n++;
        return n;
    }

    [Test]
    public void FolderEvaluatesConstantChainsIntoTheirUse()
    {
        var sb = new Superblock(0);
        var x = sb.Binop(IrOp.Add, IrValue.U32(40), IrValue.U32(2));
        var y = sb.Unop(IrOp.ZeroExtend, I64, x);
        sb.Put(GuestState.OffRax, sb.Binop(IrOp.Shl, I64, y, IrValue.U8(4)));
        sb.Next = IrValue.U64(0);

        ConstantFolder.Run(sb);

        Assert.That(sb.Count, Is.EqualTo(1), sb.ToString());
        Assert.That(sb[0].A, Is.EqualTo(IrValue.U64(42 << 4)));
    }

    [Test]
    public void FolderAppliesIdentities()
    {
        var sb = new Superblock(0);
        var r = sb.Get(GuestState.OffRax, I64);
        var b = sb.Binop(IrOp.CmpLTU, I1, r, IrValue.U64(10));
        var wide = sb.Unop(IrOp.ZeroExtend, I64, b);
        var back = sb.Binop(IrOp.CmpNE, I1, wide, IrValue.U64(0));
        sb.Put(GuestState.OffRcx, sb.Binop(IrOp.Add, r, IrValue.U64(0)));
        sb.Put(GuestState.OffRdx, sb.Binop(IrOp.Xor, r, r));
        sb.Put(GuestState.OffRbx, sb.Binop(IrOp.And, r, IrValue.U64(ulong.MaxValue)));
        sb.Exit(back, 0x50, JumpKind.Boring);
        sb.Next = IrValue.U64(0);

        ConstantFolder.Run(sb);

        Assert.That(sb.Statements.ToArray().Where(s => s.Kind == StmtKind.Put).Select(s => s.A),
            Is.EqualTo(new[] { r, IrValue.U64(0), r }));
        Assert.That(sb.Statements.ToArray().Single(s => s.Kind == StmtKind.Exit).A, Is.EqualTo(b));
    }

    [Test]
    public void ConstantExitsAreDroppedOrEndTheBlock()
    {
        var sb = new Superblock(0);
        sb.IMark(0, 2);
        sb.Exit(IrValue.U1(false), 0x10, JumpKind.Boring);
        sb.Put(GuestState.OffRax, IrValue.U64(1));
        sb.Exit(sb.Binop(IrOp.CmpEQ, I1, IrValue.U8(3), IrValue.U8(3)), 0x20, JumpKind.Call);
        sb.IMark(2, 2);
        sb.Put(GuestState.OffRax, IrValue.U64(2));
        sb.Next = IrValue.U64(4);

        ConstantFolder.Run(sb);

        Assert.That(CountOf(sb, StmtKind.Exit), Is.EqualTo(0));
        Assert.That(sb.Count, Is.EqualTo(2), sb.ToString());
        Assert.That((sb.Next, sb.NextKind), Is.EqualTo((IrValue.U64(0x20), JumpKind.Call)));
        Assert.That(sb.InstructionCount, Is.EqualTo(1));
    }

    [Test]
    public void FolderLeavesFaultingDivisionForTheExitToDecide()
    {
        var sb = new Superblock(0);
        var faults = sb.Triop(IrOp.DivFaultsU, I1, IrValue.U64(0), IrValue.U64(7), IrValue.U64(0));
        sb.Exit(faults, 0, JumpKind.SigFpeIntDiv);
        sb.Put(GuestState.OffRax, sb.Triop(IrOp.QuotU, I64, IrValue.U64(0), IrValue.U64(7), IrValue.U64(0)));
        sb.Next = IrValue.U64(3);

        ConstantFolder.Run(sb);

        Assert.That(sb.NextKind, Is.EqualTo(JumpKind.SigFpeIntDiv));
        Assert.That(sb.Count, Is.EqualTo(0));
    }

    [Test]
    public void GetAfterPutOrGetOfTheSameSlotReusesTheValueAndANarrowerGetTruncatesIt()
    {
        var sb = new Superblock(0);
        var a = sb.Get(GuestState.OffRax, I64);
        var a2 = sb.Get(GuestState.OffRax, I64);
        sb.Put(GuestState.OffRcx, sb.Binop(IrOp.Add, a, a2));
        var narrow = sb.Get(GuestState.OffRax, I32);
        sb.Put(GuestState.OffRdx, a);
        var d = sb.Get(GuestState.OffRdx, I64);
        sb.Store(d, narrow);
        sb.Next = IrValue.U64(0);

        RedundantGetElimination.Run(sb);

        Assert.That(CountOf(sb, StmtKind.Get), Is.EqualTo(1), sb.ToString());
        Assert.That(sb.Statements.ToArray().Single(s => s.Kind == StmtKind.Store).A, Is.EqualTo(a));
        var truncation = sb.Statements.ToArray().Single(s => s.Kind == StmtKind.Unop);
        Assert.That((truncation.Op, truncation.Type, truncation.A, truncation.Dst), Is.EqualTo((IrOp.Truncate, I32, a, narrow.Temp)));
    }

    [Test]
    public void AGetOfEaxAfterAZeroExtendingPutOfRaxFoldsToTheValuePut()
    {
        var sb = new Superblock(0);
        var value = sb.Get(GuestState.OffRcx, I32);
        sb.Put(GuestState.OffRax, sb.Unop(IrOp.ZeroExtend, I64, value));
        sb.Put(GuestState.OffRdx, sb.Unop(IrOp.ZeroExtend, I64, sb.Get(GuestState.OffRax, I32)));
        sb.Next = IrValue.U64(0);

        new Optimiser().Run(sb);

        Assert.That(CountOf(sb, StmtKind.Get), Is.EqualTo(1), sb.ToString());
        Assert.That(sb.Statements.ToArray().Count(s => s.Kind == StmtKind.Unop), Is.EqualTo(2), sb.ToString());
    }

    [Test]
    public void TwoGetsOfEdxAfterAPutOfRdxAreOneValueSoXorOfTheRegisterWithItselfFoldsToZero()
    {
        var sb = new Superblock(0);
        sb.Put(GuestState.OffRdx, sb.Get(GuestState.OffRcx, I64));
        var xor = sb.Binop(IrOp.Xor, sb.Get(GuestState.OffRdx, I32), sb.Get(GuestState.OffRdx, I32));
        sb.Put(GuestState.OffRdx, sb.Unop(IrOp.ZeroExtend, I64, xor));
        sb.Next = IrValue.U64(0);

        new Optimiser().Run(sb);

        var put = sb.Statements.ToArray().Single(s => s.Kind == StmtKind.Put);
        Assert.That(put.A, Is.EqualTo(IrValue.U64(0)), sb.ToString());
    }

    [Test]
    public void GetAfterAnOverlappingWriteReadsTheStateAgain()
    {
        var sb = new Superblock(0);
        sb.Get(GuestState.OffRax, I64);
        sb.Put(GuestState.OffRax + 1, IrValue.U8(1));
        sb.Get(GuestState.OffRax, I64);
        sb.Get(GuestState.OffFpReg0 + 8, F64);
        sb.PutI(GuestState.OffFpReg0, 8, IrValue.U32(0), 0, IrValue.Constant(F64, 0));
        sb.Get(GuestState.OffFpReg0 + 8, F64);
        sb.Get(GuestState.OffRsi, I64);
        sb.Call(RandomBlocks.Dirty, IrValue.U64(0));
        sb.Get(GuestState.OffRsi, I64);
        sb.Next = IrValue.U64(0);

        RedundantGetElimination.Run(sb);

        Assert.That(CountOf(sb, StmtKind.Get), Is.EqualTo(6), sb.ToString());
    }

    [Test]
    public void PutOfTheValueTheSlotHoldsGoesUnlessSomethingWroteThereSince()
    {
        var sb = new Superblock(0);
        var rax = sb.Get(GuestState.OffRax, I64);
        sb.Put(GuestState.OffRax, rax);                       // holds it already: goes
        sb.Put(GuestState.OffCcOp, IrValue.U64(0xb));
        sb.Exit(sb.Get(GuestState.OffRcx, I1), 0x10, JumpKind.Boring);
        sb.Put(GuestState.OffCcOp, IrValue.U64(0xb));         // goes: an exit reads the state but does not write it
        sb.Put(GuestState.OffCcOp, IrValue.U32(0xb));         // stays: another type
        sb.Put(GuestState.OffRsi, IrValue.U64(3));
        sb.Call(RandomBlocks.Dirty, IrValue.U64(0));
        sb.Put(GuestState.OffRsi, IrValue.U64(3));            // stays: the helper writes RSI
        sb.Next = IrValue.U64(0);

        RedundantGetElimination.Run(sb);

        Assert.That(CountOf(sb, StmtKind.Put), Is.EqualTo(4), sb.ToString());
        Assert.That(sb.Statements.ToArray().Count(s => s.Kind == StmtKind.Put && s.Offset == GuestState.OffRax), Is.Zero);
    }

    [Test]
    public void PutOverwrittenBeforeAnyObserverIsRemoved()
    {
        var sb = new Superblock(0);
        sb.Put(GuestState.OffCcOp, IrValue.U64(1));
        sb.Put(GuestState.OffCcDep1, IrValue.U64(2));
        sb.Load(I64, IrValue.U64(0x1000));
        sb.Put(GuestState.OffCcOp, IrValue.U64(3));
        sb.Put(GuestState.OffCcDep1, IrValue.U32(4));
        sb.Next = IrValue.U64(0);

        RedundantPutElimination.Run(sb);

        Assert.That(CountOf(sb, StmtKind.Put), Is.EqualTo(3), "the narrower later Put covers only half of CcDep1: " + sb);
        Assert.That(sb[0].Offset, Is.EqualTo(GuestState.OffCcDep1));
    }

    [Test]
    public void PutObservedByGetExitOrHelperStays()
    {
        var sb = new Superblock(0);
        sb.Put(GuestState.OffRax, IrValue.U64(1));
        sb.Get(GuestState.OffRax + 4, I8);
        sb.Put(GuestState.OffRax, IrValue.U64(2));
        sb.Exit(sb.Get(GuestState.OffRcx, I1), 0x10, JumpKind.Boring);
        sb.Put(GuestState.OffRax, IrValue.U64(3));
        sb.Put(GuestState.OffRdi, IrValue.U64(3));
        sb.Call(RandomBlocks.Dirty, IrValue.U64(0));
        sb.Put(GuestState.OffRsp, IrValue.U64(3));
        sb.Store(IrValue.U64(0x1000), IrValue.U8(0));
        sb.Put(GuestState.OffRax, IrValue.U64(4));
        sb.Put(GuestState.OffRdi, IrValue.U64(4));
        sb.Put(GuestState.OffRsp, IrValue.U64(4));
        sb.Next = IrValue.U64(0);

        RedundantPutElimination.Run(sb);

        Assert.That(CountOf(sb, StmtKind.Put), Is.EqualTo(7), "only RAX=3 of the eight is dead: " + sb);
    }

    [Test]
    public void DeadCodeGoesButLoadsAndDirtyCallsStay()
    {
        var sb = new Superblock(0);
        var a = sb.Get(GuestState.OffRax, I64);
        var unused = sb.Binop(IrOp.Add, a, IrValue.U64(1));
        sb.Unop(IrOp.Not, I64, unused);
        sb.Load(I64, a);
        sb.Call(RandomBlocks.Pure, a, a);
        sb.Call(RandomBlocks.Dirty, a);
        var used = sb.Binop(IrOp.Sub, a, IrValue.U64(1));
        sb.Next = used;

        DeadCodeElimination.Run(sb);

        Assert.That(sb.Statements.ToArray().Select(s => s.Kind),
            Is.EqualTo(new[] { StmtKind.Get, StmtKind.Load, StmtKind.Call, StmtKind.Binop }), sb.ToString());
        Assert.That(sb[2].Helper, Is.SameAs(RandomBlocks.Dirty));
    }

    [Test]
    public void BlocksWithoutTempsPassThroughUnchanged()
    {
        var sb = new Superblock(0);
        sb.IMark(0, 1);
        sb.Put(GuestState.OffRax, IrValue.U64(5));
        sb.Next = IrValue.U64(1);

        var result = new Optimiser().Run(sb);

        Assert.That(result.Count, Is.EqualTo(2));
        Assert.That(result[1].B.IsNone, Is.True, "unused operand slots stay empty");
    }

    [Test]
    public void SpecialisationHookRunsAfterPropagationAndIsCleanedUpAfter()
    {
        var sb = new Superblock(0);
        var op = sb.Get(GuestState.OffCcOp, I64);
        sb.Put(GuestState.OffRax, op);
        sb.Next = IrValue.U64(0);
        string? seen = null;
        var optimiser = new Optimiser
        {
            GuestSpecialisation = b =>
            {
                seen = b.ToString();
                var replaced = new Superblock(b.GuestAddress);
                var t = replaced.Binop(IrOp.Add, IrValue.U64(1), IrValue.U64(1));
                replaced.Binop(IrOp.Add, t, IrValue.U64(5));
                replaced.Put(GuestState.OffRax, t);
                replaced.Next = b.Next;
                return replaced;
            },
        };

        var result = optimiser.Run(sb);

        Assert.That(seen, Does.Contain("GET(136)"));
        Assert.That(result.Count, Is.EqualTo(1), result.ToString());
        Assert.That(result[0].A, Is.EqualTo(IrValue.U64(2)));
    }

    [Test]
    public void AComparisonUsedOnlyAsAGuardMovesToJustBeforeItsExitOrCall()
    {
        var sb = new Superblock(0);
        var a = sb.Get(GuestState.OffRax, I64);
        var guardOnly = sb.Binop(IrOp.CmpNE, IrType.I1, a, IrValue.U64(0));
        var usedTwice = sb.Binop(IrOp.CmpEQ, IrType.I1, a, IrValue.U64(1));
        var exitOnly = sb.Binop(IrOp.CmpLTU, IrType.I1, a, IrValue.U64(9));
        sb.Put(GuestState.OffRcx, sb.Unop(IrOp.ZeroExtend, I64, usedTwice));
        sb.CallGuarded(guardOnly, RandomBlocks.Dirty, IrValue.U64(0));
        sb.Exit(usedTwice, 0x10, JumpKind.Boring);
        sb.Put(GuestState.OffRdx, a);
        sb.Exit(exitOnly, 0x20, JumpKind.Boring);
        sb.Next = IrValue.U64(0);

        CompareSinking.Run(sb);

        var stmts = sb.Statements.ToArray();
        int Index(IrValue t) => Array.FindIndex(stmts, s => s.Dst == t.Temp);
        Assert.That(stmts[Index(guardOnly) + 1].Kind, Is.EqualTo(StmtKind.Call), sb.ToString());
        Assert.That(stmts[Index(exitOnly) + 1].Kind, Is.EqualTo(StmtKind.Exit), sb.ToString());
        Assert.That(Index(usedTwice), Is.EqualTo(1), "stays where it was, after the get");
        Assert.That(stmts, Has.Length.EqualTo(10));
    }
}
