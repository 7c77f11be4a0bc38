using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Ir.IrValue;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>A guarded call happens only when its guard is 1, and its result is 0 when it does not: compiled code and interpreter agree.</summary>
public sealed unsafe class GuardedCallTests
{
    private JitTestMachine _m = null!;

    [SetUp] public void SetUp() => _m = new JitTestMachine();
    [TearDown] public void TearDown() => _m.Dispose();

    /// <summary>bump_rbx(RSI) guarded by RDI != 0, result to R8, with a temp live across the call.</summary>
    private static Superblock GuardedBump()
    {
        var sb = new Superblock(0x401000);
        sb.IMark(0x401000, 4);
        var amount = sb.Get(GuestState.OffRsi, IrType.I64);
        var keep = sb.Binop(IrOp.Add, amount, U64(3));
        var guard = sb.Binop(IrOp.CmpNE, IrType.I1, sb.Get(GuestState.OffRdi, IrType.I64), U64(0));
        var result = sb.CallGuarded(guard, TestHelpers.BumpRbx, amount);
        sb.Put(GuestState.OffR8, result);
        sb.Put(GuestState.OffR8 + 8, keep);
        sb.Next = U64(0x401004);
        return sb;
    }

    [TestCase(0UL, 5UL, 0UL)]
    [TestCase(1UL, 15UL, 15UL)]
    public void TheCallHappensOnlyWhenTheGuardIsOne(ulong guard, ulong rbx, ulong result)
    {
        _m.State->Gpr[3] = 5;
        _m.State->Gpr[6] = 10;
        _m.State->Gpr[7] = guard;

        Differential.Check(_m, GuardedBump(), $"guard {guard}");

        Assert.That(_m.State->Gpr[3], Is.EqualTo(rbx), "RBX, written by the helper");
        Assert.That(_m.State->Gpr[8], Is.EqualTo(result), "the call's result");
        Assert.That(_m.State->Gpr[9], Is.EqualTo(13UL), "a temp live across the call");
    }

    [Test]
    public void AGuardedCallPrintsItsGuard() =>
        Assert.That(GuardedBump().ToString(), Does.Contain("= if (t3) CALL bump_rbx(t0)"));

    [Test]
    public void TheGuardMustBeOneBit() =>
        Assert.Throws<ArgumentException>(() => new Superblock(0).CallGuarded(U64(1), TestHelpers.BumpRbx, U64(1)));

    [Test]
    public void AConstantFalseGuardDropsTheCallAndItsResultIsZero()
    {
        var sb = new Superblock(0);
        var result = sb.CallGuarded(U1(false), TestHelpers.BumpRbx, U64(1));
        sb.Put(GuestState.OffR8, result);
        sb.Next = U64(0);

        new Optimiser().Run(sb);

        Assert.That(sb.Statements.ToArray().Select(s => s.Kind), Is.EqualTo(new[] { StmtKind.Put }), sb.ToString());
        Assert.That(sb[0].A, Is.EqualTo(U64(0)));
    }

    [Test]
    public void AConstantTrueGuardMakesAPlainCall()
    {
        var sb = new Superblock(0);
        sb.CallGuarded(sb.Binop(IrOp.CmpEQ, IrType.I1, U8(3), U8(3)), TestHelpers.BumpRbx, U64(1));
        sb.Next = U64(0);

        new Optimiser().Run(sb);

        var call = sb.Statements.ToArray().Single(s => s.Kind == StmtKind.Call);
        Assert.That(call.A.IsNone, Is.True, sb.ToString());
    }

    [Test]
    public void DeadCodeEliminationKeepsAGuardedDirtyCallAndItsGuard()
    {
        var sb = new Superblock(0);
        var guard = sb.Binop(IrOp.CmpNE, IrType.I1, sb.Get(GuestState.OffRdi, IrType.I64), U64(0));
        sb.CallGuarded(guard, TestHelpers.BumpRbx, U64(1));
        sb.Next = U64(0);

        DeadCodeElimination.Run(sb);

        Assert.That(sb.Statements.ToArray().Select(s => s.Kind),
            Is.EqualTo(new[] { StmtKind.Get, StmtKind.Binop, StmtKind.Call }), sb.ToString());
    }
}
