using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Ir.IrValue;

namespace Memcheck.Engine.Tests.Ir;

/// <summary>VEX's unrolling of blocks that loop to their own start: when, how many times, and the same run.</summary>
public unsafe class LoopUnrollerTests
{
    private const ulong Start = 0x401000, After = 0x401010;

    /// <summary>rax += rcx; rcx -= 1; then, as a self loop, goto start (the caller stops it) or, as an exit loop, if (rcx != 0) goto start; goto after.</summary>
    private static Superblock Countdown(bool exitToStart, IrOp compare = IrOp.CmpNE, int padding = 0)
    {
        var sb = new Superblock(Start);
        sb.Extents.Add((Start, 0x10));
        sb.IMark(Start, 4);
        var rax = sb.Get(GuestState.OffRax, IrType.I64);
        var rcx = sb.Get(GuestState.OffRcx, IrType.I64);
        sb.Put(GuestState.OffRax, sb.Binop(IrOp.Add, rax, rcx));
        var left = sb.Binop(IrOp.Sub, rcx, U64(1));
        sb.Put(GuestState.OffRcx, left);
        for (int i = 0; i < padding; i++) sb.Put(GuestState.OffRdx, U64((ulong)i));
        sb.IMark(Start + 4, 2);
        if (exitToStart)
        {
            sb.Exit(sb.Binop(compare, IrType.I1, compare == IrOp.CmpNE ? left : U64(0), compare == IrOp.CmpNE ? U64(0) : left), Start, JumpKind.Boring);
            sb.Next = U64(After);
        }
        else sb.Next = U64(Start);
        sb.NextKind = JumpKind.Boring;
        return sb;
    }

    [TestCase(15, 8)]
    [TestCase(16, 4)]
    [TestCase(30, 4)]
    [TestCase(60, 2)]
    [TestCase(61, 1)]
    public void FactorIsVexsForTheBlocksSize(int statements, int factor) =>
        Assert.That(LoopUnroller.Factor(statements), Is.EqualTo(factor));

    [Test]
    public void SelfLoopIsRepeatedWithFreshTempsPerCopy()
    {
        var sb = Countdown(exitToStart: false);

        var unrolled = LoopUnroller.Unroll(sb)!;

        Assert.That(unrolled.Count, Is.EqualTo(8 * sb.Count));
        Assert.That(unrolled.TempCount, Is.EqualTo(8 * sb.TempCount));
        Assert.That(unrolled.InstructionCount, Is.EqualTo(8 * sb.InstructionCount));
        Assert.That(unrolled.Next, Is.EqualTo(U64(Start)));
        Assert.That(unrolled.Extents, Is.EqualTo(sb.Extents));
        var written = new HashSet<int>();
        foreach (ref readonly var s in unrolled.Statements)
            if (s.Dst >= 0) Assert.That(written.Add(s.Dst), Is.True, $"t{s.Dst} written twice");
    }

    [Test]
    public void ExitToTheStartIsNegatedToLeaveForTheOldNextAndTheBlockLoops()
    {
        var unrolled = LoopUnroller.Unroll(Countdown(exitToStart: true))!;

        var exits = unrolled.Statements.ToArray().Where(s => s.Kind == StmtKind.Exit).ToList();
        Assert.That(exits, Has.Count.EqualTo(8));
        Assert.That(exits.Select(e => e.Addr), Is.All.EqualTo(After));
        Assert.That(unrolled.Next, Is.EqualTo(U64(Start)));
        var negation = unrolled.Statements.ToArray().First(s => s.Dst == exits[0].A.Temp);
        Assert.That(negation.Op, Is.EqualTo(IrOp.CmpEQ), "the opposite comparison, which the backend branches on");
    }

    [Test]
    public void ExitOnANegatedComparisonLeavesOnTheComparisonItself()
    {
        var sb = new Superblock(Start);
        sb.IMark(Start, 4);
        var rcx = sb.Binop(IrOp.Sub, sb.Get(GuestState.OffRcx, IrType.I64), U64(1));
        sb.Put(GuestState.OffRcx, rcx);
        var zero = sb.Binop(IrOp.CmpEQ, IrType.I1, rcx, U64(0));
        sb.Exit(sb.Binop(IrOp.Xor, IrType.I1, zero, U1(true)), Start, JumpKind.Boring);
        sb.Next = U64(After);

        var unrolled = LoopUnroller.Unroll(sb)!;

        var firstExit = unrolled.Statements.ToArray().First(s => s.Kind == StmtKind.Exit);
        Assert.That(unrolled.Statements.ToArray().First(s => s.Dst == firstExit.A.Temp).Op, Is.EqualTo(IrOp.CmpEQ));
    }

    [TestCase(false, 0)]
    [TestCase(true, 70)]
    public void BlocksThatDoNotLoopOrAreTooBigStayAsTheyAre(bool loops, int padding)
    {
        var sb = Countdown(exitToStart: true, padding: padding);
        if (!loops) sb.Next = U64(After + 0x100);
        if (!loops) sb[sb.Count - 1].Addr = After + 0x200;
        Assert.That(LoopUnroller.Unroll(sb), Is.Null);
    }

    [TestCase(IrOp.CmpNE, 1UL)]
    [TestCase(IrOp.CmpNE, 5UL)]
    [TestCase(IrOp.CmpNE, 8UL)]
    [TestCase(IrOp.CmpNE, 9UL)]
    [TestCase(IrOp.CmpNE, 37UL)]
    [TestCase(IrOp.CmpLTU, 3UL)]
    [TestCase(IrOp.CmpLTS, 20UL)]
    public void UnrolledLoopEndsInTheSameStateAsTheLoopRunBlockByBlock(IrOp compare, ulong count)
    {
        var interpreter = new IrInterpreter();
        using var expected = new TestState();
        using var actual = new TestState();
        foreach (var st in new[] { expected, actual }) (st.State->Gpr[0], st.State->Gpr[1]) = (1000, count);

        var loop = Countdown(exitToStart: true, compare);
        var unrolled = LoopUnroller.Unroll(Countdown(exitToStart: true, compare))!;
        int blocks = 0, unrolledBlocks = 0;
        while (interpreter.Run(loop, expected.State, NoMemory.Instance).NextAddress == Start) blocks++;
        while (interpreter.Run(unrolled, actual.State, NoMemory.Instance).NextAddress == Start) unrolledBlocks++;

        Assert.That(actual.Bytes.SequenceEqual(expected.Bytes), Is.True);
        Assert.That(actual.State->Rip, Is.EqualTo(After));
        Assert.That(unrolledBlocks, Is.EqualTo(blocks / 8));
    }
}
