using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using static Memcheck.Engine.Ir.IrValue;

namespace Memcheck.Engine.Tests.Jit;

public sealed unsafe class ChainingTests
{
    private JitTestMachine _m = null!;

    [SetUp] public void SetUp() => _m = new JitTestMachine(chaining: true);
    [TearDown] public void TearDown() => _m.Dispose();

    /// <summary>A block body that leaves for <paramref name="target"/> unless rcx is 0.</summary>
    private static Action<Superblock> ExitUnlessRcxIsZero(ulong target) => sb =>
        sb.Exit(sb.Binop(IrOp.CmpNE, IrType.I1, sb.Get(GuestState.OffRcx, IrType.I64), U64(0)), target, JumpKind.Boring);

    /// <summary>Runs <paramref name="loop"/> once, chains the exit it left by to itself, and runs it again counting from 0.</summary>
    private ulong RunChainedToItself(CompiledBlock loop)
    {
        _m.Run(loop);
        _m.Cache.Chain((nint)_m.State->ExitAddr, loop);
        _m.State->Gpr[0] = 0;
        return _m.Run(loop);
    }

    /// <summary>Blocks that count no instructions: a side exit has nothing to do on its way out.</summary>
    private void UncountedMachine()
    {
        _m.Dispose();
        _m = new JitTestMachine(chaining: true, countInstructions: false);
    }

    /// <summary>A block at <paramref name="at"/> that adds 1 to guest register <paramref name="gpr"/> and goes to <paramref name="next"/>.</summary>
    private CompiledBlock Counter(ulong at, int gpr, IrValue next, JumpKind kind = JumpKind.Boring, Action<Superblock>? body = null)
    {
        var sb = new Superblock(at);
        sb.IMark(at, 4);
        sb.Extents.Add((at, 4));
        sb.Put(GuestState.GprOffset(gpr), sb.Binop(IrOp.Add, sb.Get(GuestState.GprOffset(gpr), IrType.I64), U64(1)));
        sb.Next = next.IsNone ? U64(at + 4) : next;
        sb.NextKind = kind;
        body?.Invoke(sb);
        return _m.Compile(sb);
    }

    [Test]
    public void ChainedExitRunsTheTargetWithoutReturning()
    {
        var a = Counter(0x1000, 0, U64(0x2000));
        var b = Counter(0x2000, 3, U64(0x3000), JumpKind.Syscall);
        Assert.That(_m.Run(a), Is.EqualTo(0x2000UL));
        Assert.That(_m.State->ExitAddr, Is.Not.Zero, "a constant Boring exit is a chain site");

        _m.Cache.Chain((nint)_m.State->ExitAddr, b);
        ulong next = _m.Run(a);

        Assert.That(next, Is.EqualTo(0x3000UL));
        Assert.That((JumpKind)_m.State->ExitKind, Is.EqualTo(JumpKind.Syscall));
        Assert.That(_m.State->Gpr[0], Is.EqualTo(2UL));
        Assert.That(_m.State->Gpr[3], Is.EqualTo(1UL));
        Assert.That(_m.State->InstrCount, Is.EqualTo(3UL));
    }

    [Test]
    public void ChainedSideExitRunsTheTarget()
    {
        var a = Counter(0x1000, 0, U64(0x1004), body: ExitUnlessRcxIsZero(0x2000));
        var b = Counter(0x2000, 3, U64(0x3000), JumpKind.Syscall);
        _m.State->Gpr[1] = 1;
        Assert.That(_m.Run(a), Is.EqualTo(0x2000UL));
        _m.Cache.Chain((nint)_m.State->ExitAddr, b);

        Assert.That(_m.Run(a), Is.EqualTo(0x3000UL));
        Assert.That(_m.State->Gpr[3], Is.EqualTo(1UL));
    }

    [Test]
    public void ChainedLoopReturnsToTheDispatcherWhenTheBudgetRunsOut()
    {
        ulong next = RunChainedToItself(Counter(0x1000, 0, U64(0x1000)));

        Assert.That(next, Is.EqualTo(0x1000UL));
        Assert.That(_m.State->Gpr[0], Is.EqualTo((ulong)CodeCache.ChainBudget));
    }

    [Test]
    public void ASideExitWithNothingToDoOnTheWayIsChainedInItsOwnJccAndRestoredOnInvalidation()
    {
        UncountedMachine();
        var a = Counter(0x1000, 0, U64(0x1004), body: ExitUnlessRcxIsZero(0x2000));
        var b = Counter(0x2000, 3, U64(0x3000), JumpKind.Syscall);
        _m.State->Gpr[1] = 1;
        Assert.That(_m.Run(a), Is.EqualTo(0x2000UL));
        nint site = (nint)_m.State->ExitAddr;
        Assert.That((*(byte*)(site - 2), *(byte*)(site - 1) & 0xF0), Is.EqualTo((0x0F, 0x80)), "the site is a jcc rel32");
        int unchained = *(int*)site;

        _m.Cache.Chain(site, b);

        Assert.That(site + 4 + *(int*)site, Is.EqualTo(b.ForwardEntry), "the jcc goes straight into the target");
        Assert.That(_m.Run(a), Is.EqualTo(0x3000UL));
        Assert.That(_m.State->Gpr[3], Is.EqualTo(1UL));

        _m.Cache.Invalidate(0x2000, 4);

        Assert.That(*(int*)site, Is.EqualTo(unchained));
        Assert.That(_m.Run(a), Is.EqualTo(0x2000UL));
        Assert.That((nint)_m.State->ExitAddr, Is.EqualTo(site));
        Assert.That(_m.State->Gpr[3], Is.EqualTo(1UL), "the invalidated target did not run again");
    }

    [Test]
    public void ASelfLoopChainedThroughItsSideExitReturnsWhenTheBudgetRunsOut()
    {
        UncountedMachine();
        _m.State->Gpr[1] = 1;

        ulong next = RunChainedToItself(Counter(0x1000, 0, U64(0x1004), body: ExitUnlessRcxIsZero(0x1000)));

        Assert.That(next, Is.EqualTo(0x1000UL));
        Assert.That(_m.State->Gpr[0], Is.EqualTo((ulong)CodeCache.ChainBudget));
        Assert.That(_m.State->ExitAddr, Is.Zero, "leaving for the budget names no site to chain");
    }

    [Test]
    public void AnIndirectLoopThroughTheLookupTableReturnsWhenTheBudgetRunsOut()
    {
        var loop = Counter(0x1000, 0, IrValue.None, JumpKind.Boring, sb => sb.Next = sb.Get(GuestState.OffRcx, IrType.I64));
        _m.State->Gpr[1] = 0x1000;

        ulong next = _m.Run(loop);

        Assert.That(next, Is.EqualTo(0x1000UL));
        Assert.That(_m.State->Gpr[0], Is.EqualTo((ulong)CodeCache.ChainBudget), "every block entry counts, the lookup's too");
    }

    [Test]
    public void AForwardChainEntersPastTheBudgetCheckAndTheBackwardOneClosingTheLoopAtIt()
    {
        var a = Counter(0x1000, 0, U64(0x2000));
        var b = Counter(0x2000, 3, U64(0x1000));
        _m.Run(a);
        nint forward = (nint)_m.State->ExitAddr;
        _m.Cache.Chain(forward, b);
        _m.Run(b);
        nint backward = (nint)_m.State->ExitAddr;
        _m.Cache.Chain(backward, a);
        _m.State->Gpr[0] = _m.State->Gpr[3] = 0;

        ulong next = _m.Run(a);

        Assert.That(forward + 4 + *(int*)forward, Is.EqualTo(b.ForwardEntry).And.GreaterThan(b.HostAddress));
        Assert.That(backward + 4 + *(int*)backward, Is.EqualTo(a.ChainEntry));
        Assert.That(next, Is.EqualTo(0x1000UL));
        Assert.That(_m.State->Gpr[0], Is.EqualTo((ulong)CodeCache.ChainBudget), "one budget check per turn of the loop");
        Assert.That(_m.State->Gpr[3], Is.EqualTo((ulong)CodeCache.ChainBudget));
    }

    [Test]
    public void InvalidatingATargetUnchainsJumpsIntoIt()
    {
        var a = Counter(0x1000, 0, U64(0x2000));
        var b = Counter(0x2000, 3, U64(0x3000), JumpKind.Syscall);
        _m.Run(a);
        _m.Cache.Chain((nint)_m.State->ExitAddr, b);

        _m.Cache.Invalidate(0x2002, 1);

        Assert.That(b.IsValid, Is.False);
        Assert.That(_m.Cache.Find(0x2000), Is.Null);
        Assert.That(_m.Cache.Find(0x1000), Is.SameAs(a));
        Assert.That(_m.Run(a), Is.EqualTo(0x2000UL));
        Assert.That(_m.State->Gpr[3], Is.Zero);
    }

    [Test]
    public void ChainRefusesABlockForAnotherAddress()
    {
        var a = Counter(0x1000, 0, U64(0x2000));
        var other = Counter(0x2004, 3, U64(0x3000));
        _m.Run(a);

        Assert.Throws<ArgumentException>(() => _m.Cache.Chain((nint)_m.State->ExitAddr, other));
    }

    [TestCase(0x2000UL, 0x3000UL, TestName = "IndirectJumpToATranslatedBlockGoesStraightThere")]
    [TestCase(0x2500UL, 0x2500UL, TestName = "IndirectJumpToAnUntranslatedAddressReturnsIt")]
    public void IndirectJumpsGoThroughTheLookupTable(ulong target, ulong expected)
    {
        Counter(0x2000, 3, U64(0x3000), JumpKind.Syscall);
        var a = Counter(0x1000, 0, IrValue.None, JumpKind.Ret, sb => sb.Next = sb.Get(GuestState.OffRcx, IrType.I64));
        _m.State->Gpr[1] = target;

        Assert.That(_m.Run(a), Is.EqualTo(expected));
        Assert.That(_m.State->Gpr[3], Is.EqualTo(target == 0x2000 ? 1UL : 0UL));
    }

    [Test]
    public void IndirectJumpToAnInvalidatedBlockReturnsToTheDispatcher()
    {
        Counter(0x2000, 3, U64(0x3000), JumpKind.Syscall);
        var a = Counter(0x1000, 0, IrValue.None, JumpKind.Ret, sb => sb.Next = sb.Get(GuestState.OffRcx, IrType.I64));
        _m.Cache.Invalidate(0x2000, 4);
        _m.State->Gpr[1] = 0x2000;

        Assert.That(_m.Run(a), Is.EqualTo(0x2000UL));
        Assert.That(_m.State->Gpr[3], Is.Zero);
    }

    [Test]
    public void FlushDropsEveryBlock()
    {
        var a = Counter(0x1000, 0, U64(0x2000));
        long used = _m.Cache.Used;

        _m.Cache.Flush();

        Assert.That(a.IsValid, Is.False);
        Assert.That(_m.Cache.Find(0x1000), Is.Null);
        Assert.That(_m.Cache.Used, Is.LessThan(used));
        Assert.That(_m.Run(Counter(0x1000, 0, U64(0x2000))), Is.EqualTo(0x2000UL));
    }

    [Test]
    public void GeneratedCodeLivesInsideTheCache()
    {
        var a = Counter(0x1000, 0, U64(0x2000));

        Assert.That(_m.Cache.Contains(a.HostAddress), Is.True);
        Assert.That(_m.Cache.Contains(a.HostAddress + a.HostSize - 1), Is.True);
        Assert.That(a.CompileTime, Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public void HostAddressesMapBackToTheirBlockAndGuestInstruction()
    {
        var sb = new Superblock(0x1000);
        sb.IMark(0x1000, 4);
        sb.Put(GuestState.OffRax, U64(1));
        sb.IMark(0x1004, 4);
        sb.Put(GuestState.OffRbx, sb.Load(IrType.I64, U64(_m.MemoryBase)));
        sb.Next = U64(0x1008);
        var first = Counter(0x800, 0, U64(0x804));
        var block = _m.Compile(sb);

        Assert.That(_m.Cache.FindByHostAddress(block.HostAddress + 3), Is.SameAs(block));
        Assert.That(_m.Cache.FindByHostAddress(first.HostAddress), Is.SameAs(first));
        Assert.That(_m.Cache.FindByHostAddress(_m.Cache.End - 1), Is.Null);
        Assert.That(block.GuestInstructionAt(block.HostAddress), Is.EqualTo(0x1000UL), "the prologue belongs to the first instruction");
        Assert.That(block.GuestInstructionAt(block.HostAddress + block.HostSize - 1), Is.EqualTo(0x1004UL));
        Assert.That(_m.Cache.Contains(_m.Cache.FaultExitStub), Is.True);
    }

    [Test]
    public void AFullCacheRefusesTheBlockUntilFlushed()
    {
        using var small = new CodeCache(1 << 20);
        var context = new BackendContext(_m.PageMap.Level1, small);
        var sb = new Superblock(0x1000);
        sb.IMark(0x1000, 4);
        for (int i = 0; i < 4000; i++) sb.Put(GuestState.OffRax, sb.Load(IrType.I64, U64(_m.MemoryBase + (ulong)i)));
        sb.Next = U64(0x1004);
        var compiler = new BlockCompiler();

        Assert.Throws<CodeCacheFullException>(() => { for (int i = 0; i < 100; i++) compiler.Compile(sb, context); });
        small.Flush();
        Assert.That(compiler.Compile(sb, context).IsValid, Is.True);
    }
}
