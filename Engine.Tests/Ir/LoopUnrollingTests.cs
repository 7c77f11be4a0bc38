using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Ir;

public unsafe class LoopUnrollingTests
{
    private const ulong Loop = 0x1000, After = 0x1008;
    private readonly IrInterpreter _interpreter = new();

    /// <summary><c>X: rcx -= 1; rax += 2; if (rcx != 0) goto X; goto After</c>, the guard negated twice when asked (jcc's inverse).</summary>
    private static Superblock CountDown(bool negatedGuard = false)
    {
        var sb = new Superblock(Loop);
        sb.Extents.Add((Loop, 8));
        sb.IMark(Loop, 4);
        var rcx = sb.Binop(IrOp.Sub, sb.Get(GuestState.OffRcx, IrType.I64), IrValue.U64(1));
        sb.Put(GuestState.OffRcx, rcx);
        sb.Put(GuestState.OffRax, sb.Binop(IrOp.Add, sb.Get(GuestState.OffRax, IrType.I64), IrValue.U64(2)));
        sb.IMark(Loop + 4, 4);
        var more = negatedGuard
            ? sb.Binop(IrOp.Xor, sb.Binop(IrOp.CmpEQ, IrType.I1, rcx, IrValue.U64(0)), IrValue.U1(true))
            : sb.Binop(IrOp.CmpNE, IrType.I1, rcx, IrValue.U64(0));
        sb.Exit(more, Loop, JumpKind.Boring);
        sb.Next = IrValue.U64(After);
        return sb;
    }

    [Test]
    public void ASmallLoopBackThroughItsLastSideExitBecomesCopiesEachLeavingOnTheNegatedGuard()
    {
        var unrolled = LoopUnrolling.Run(CountDown());

        Assert.That(unrolled.InstructionCount, Is.EqualTo(2 * 8), "a block this small gets eight copies");
        Assert.That(unrolled.Next, Is.EqualTo(IrValue.U64(Loop)));
        var exits = unrolled.Statements.ToArray().Where(s => s.Kind == StmtKind.Exit).ToList();
        Assert.That(exits, Has.Count.EqualTo(8));
        Assert.That(exits.Select(e => e.Addr), Is.All.EqualTo(After));
        Assert.That(unrolled.Extents, Is.EqualTo(new[] { (Loop, 8) }));
    }

    [TestCase(false, 3UL)]
    [TestCase(false, 8UL)]
    [TestCase(false, 20UL)]
    [TestCase(true, 3UL)]
    [TestCase(true, 20UL)]
    public void TheUnrolledLoopLeavesAsTheOriginalDoesAfterAsManyIterations(bool negatedGuard, ulong count)
    {
        using var original = new TestState();
        using var unrolled = new TestState();
        original.State->Gpr[1] = unrolled.State->Gpr[1] = count;

        var exit = _interpreter.Run(LoopUnrolling.Run(CountDown(negatedGuard)), unrolled.State, NoMemory.Instance);
        BlockExit step;
        int iterations = 0;
        do
        {
            step = _interpreter.Run(CountDown(negatedGuard), original.State, NoMemory.Instance);
            iterations++;
        } while (step.NextAddress == Loop && iterations < 8);

        Assert.That(exit, Is.EqualTo(step));
        Assert.That(unrolled.Bytes.ToArray(), Is.EqualTo(original.Bytes.ToArray()));
    }

    [Test]
    public void TheNegationOfANegatedGuardIsItsOperand()
    {
        var unrolled = LoopUnrolling.Run(CountDown(negatedGuard: true));

        Assert.That(unrolled.Statements.ToArray().Count(s => s.Op == IrOp.Xor), Is.EqualTo(8), "only the body's own negations");
    }

    [Test]
    public void ABlockJumpingToItsOwnStartAtTheEndIsUnrolled()
    {
        var sb = new Superblock(Loop);
        sb.IMark(Loop, 2);
        sb.Put(GuestState.OffRax, sb.Binop(IrOp.Add, sb.Get(GuestState.OffRax, IrType.I64), IrValue.U64(1)));
        sb.Next = IrValue.U64(Loop);

        var unrolled = LoopUnrolling.Run(sb);

        Assert.That(unrolled.InstructionCount, Is.EqualTo(8));
        Assert.That(unrolled.Statements.ToArray().Any(s => s.Kind == StmtKind.Exit), Is.False);
    }

    [Test]
    public void BlocksThatAreNoSmallSelfLoopStayAsTheyAre()
    {
        var elsewhere = CountDown();
        elsewhere[elsewhere.Count - 1].Addr = 0x3000;
        var call = CountDown();
        call.NextKind = JumpKind.Call;
        var big = CountDown();
        for (int i = 0; i < LoopUnrolling.Threshold / 2; i++) big.IMark(Loop + 4, 4);
        big.Exit(IrValue.U1(false), Loop, JumpKind.Boring);

        Assert.That(LoopUnrolling.Run(elsewhere), Is.SameAs(elsewhere));
        Assert.That(LoopUnrolling.Run(call), Is.SameAs(call));
        Assert.That(LoopUnrolling.Run(big), Is.SameAs(big));
    }
}
