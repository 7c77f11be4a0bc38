using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Ir.IrValue;

namespace Memcheck.Engine.Tests.Jit;

public sealed unsafe class BlockCompilerTests
{
    private JitTestMachine _m = null!;

    [SetUp] public void SetUp() => _m = new JitTestMachine();
    [TearDown] public void TearDown() => _m.Dispose();

    private static Superblock Block(ulong at = 0x401000)
    {
        var sb = new Superblock(at);
        sb.IMark(at, 4);
        return sb;
    }

    [Test]
    public void AddsToAGuestRegisterAndReturnsTheConstantNext()
    {
        var sb = Block();
        var rax = sb.Get(GuestState.OffRax, IrType.I64);
        sb.Put(GuestState.OffRax, sb.Binop(IrOp.Add, rax, U64(5)));
        sb.Next = U64(0x401004);
        _m.State->Gpr[0] = 37;

        ulong next = _m.Run(_m.Compile(sb));

        Assert.That(next, Is.EqualTo(0x401004UL));
        Assert.That(_m.State->Gpr[0], Is.EqualTo(42UL));
        Assert.That(_m.State->Rip, Is.EqualTo(0x401004UL));
        Assert.That((JumpKind)_m.State->ExitKind, Is.EqualTo(JumpKind.Boring));
        Assert.That(_m.State->InstrCount, Is.EqualTo(1UL));
    }

    [Test]
    public void StoresAndLoadsOwnedMemory()
    {
        var sb = Block();
        var addr = sb.Get(GuestState.OffRdi, IrType.I64);
        sb.Store(addr, sb.Get(GuestState.OffRsi, IrType.I32));
        sb.Put(GuestState.OffRax, sb.Load(IrType.I16, sb.Binop(IrOp.Add, addr, U64(2))));
        sb.Next = U64(0x401004);
        _m.State->Gpr[7] = _m.MemoryBase + 100;
        _m.State->Gpr[6] = 0xFFFF_FFFF_DEAD_BEEF;
        _m.State->Gpr[0] = ulong.MaxValue;

        _m.Run(_m.Compile(sb));

        Assert.That(*(uint*)(_m.Memory + 100), Is.EqualTo(0xDEADBEEFu));
        Assert.That(_m.State->Gpr[0], Is.EqualTo(0xFFFF_FFFF_FFFF_DEADUL), "an I16 Put writes two bytes");
    }

    [TestCase(0UL, false, TestName = "LoadFromUnownedPageFaults")]
    [TestCase(1UL, true, TestName = "StoreToReadOnlyPageFaults")]
    [TestCase(2UL, false, TestName = "LoadCrossingIntoUnownedPageFaults")]
    [TestCase(3UL, false, TestName = "LoadFromNonCanonicalAddressFaults")]
    public void RefusedAccessLeavesWithSigSegvAtTheInstruction(ulong which, bool store)
    {
        ulong address = which switch
        {
            0 => _m.UnownedAddress + 8,
            1 => _m.ReadOnlyAddress + 16,
            2 => _m.UnownedAddress - 4,
            _ => 0x8000_0000_0000_0000,
        };
        var sb = Block();
        sb.Put(GuestState.OffRbx, U64(1));
        sb.IMark(0x401004, 3);
        if (store) sb.Store(U64(address), U64(7));
        else sb.Put(GuestState.OffRax, sb.Load(IrType.I64, U64(address)));
        sb.Put(GuestState.OffRbx, U64(2));
        sb.Next = U64(0x401010);

        ulong next = _m.Run(_m.Compile(sb));

        Assert.That(next, Is.EqualTo(0x401004UL));
        Assert.That((JumpKind)_m.State->ExitKind, Is.EqualTo(JumpKind.SigSegv));
        Assert.That(_m.State->FaultAddr, Is.EqualTo(address));
        Assert.That(_m.State->Rip, Is.EqualTo(0x401004UL));
        Assert.That(_m.State->Gpr[3], Is.EqualTo(1UL), "statements before the fault ran, none after");
        Assert.That(_m.State->InstrCount, Is.EqualTo(2UL));
    }

    [Test]
    public void AccessEndingExactlyAtThePageEndIsAllowed()
    {
        var sb = Block();
        sb.Put(GuestState.OffRax, sb.Load(IrType.I64, U64(_m.UnownedAddress - 8)));
        sb.Next = U64(0x401004);
        *(ulong*)(_m.UnownedAddress - 8) = 0x1122334455667788;

        Assert.That(_m.Run(_m.Compile(sb)), Is.EqualTo(0x401004UL));
        Assert.That(_m.State->Gpr[0], Is.EqualTo(0x1122334455667788UL));
    }

    [TestCase(5UL, 0x500000UL)]
    [TestCase(2UL, 0x401004UL)]
    public void SideExitLeavesWhenItsGuardHolds(ulong rcx, ulong expected)
    {
        var sb = Block();
        var c = sb.Get(GuestState.OffRcx, IrType.I64);
        sb.Exit(sb.Binop(IrOp.CmpLTU, IrType.I1, U64(3), c), 0x500000, JumpKind.Boring);
        sb.Put(GuestState.OffRdx, U64(9));
        sb.Next = U64(0x401004);
        _m.State->Gpr[1] = rcx;

        Assert.That(_m.Run(_m.Compile(sb)), Is.EqualTo(expected));
        Assert.That(_m.State->Rip, Is.EqualTo(expected));
        Assert.That(_m.State->Gpr[2], Is.EqualTo(expected == 0x500000 ? 0UL : 9UL));
    }

    [Test]
    public void ASideExitOnANegatedCompareLeavesExactlyWhenTheCompareFails(
        [Values(IrOp.CmpEQ, IrOp.CmpNE, IrOp.CmpLTU, IrOp.CmpLTS, IrOp.CmpLEU, IrOp.CmpLES)] IrOp op,
        [Values(0UL, 7UL, 8UL, 9UL, ulong.MaxValue)] ulong rcx)
    {
        var sb = Block();
        var compare = sb.Binop(op, IrType.I1, sb.Get(GuestState.OffRcx, IrType.I64), U64(8));
        sb.Exit(sb.Binop(IrOp.Xor, compare, IrValue.U1(true)), 0x500000, JumpKind.Boring);
        sb.Put(GuestState.OffRdx, U64(9));
        sb.Next = U64(0x401004);
        _m.State->Gpr[1] = rcx;

        Differential.Check(_m, sb, $"{op} of {rcx} and 8, negated");
    }

    [Test]
    public void HelperCallsSeeTheirArgumentsAndTheState()
    {
        var sb = Block();
        var a = sb.Get(GuestState.OffRsi, IrType.I64);
        var b = sb.Get(GuestState.OffRdi, IrType.I64);
        var keep = sb.Binop(IrOp.Xor, a, b); // lives across the calls
        var r = sb.Call(TestHelpers.Mix, b, a, U64(0x1_0000_0000), keep);
        sb.Call(TestHelpers.BumpRbx, U64(10));
        sb.Put(GuestState.OffR8, r);
        sb.Put(GuestState.OffR8 + 8, keep);
        sb.Next = U64(0x401004);
        _m.State->Gpr[0] = 77;
        _m.State->Gpr[3] = 5;
        _m.State->Gpr[6] = 0x1234_5678_9ABC;
        _m.State->Gpr[7] = 0xFEDC_BA98;

        Differential.Check(_m, sb, "helper calls");
        Assert.That(_m.State->Gpr[3], Is.EqualTo(15UL));
    }

    [Test]
    public void HelperArgumentsLivingInEachOthersArgumentRegistersArriveIntact()
    {
        // Twelve live temps fill the allocatable registers, the argument registers among them; each call passes four of
        // them in another order, so some are moved straight to their registers and some must be staged.
        var sb = Block();
        var temps = Enumerable.Range(0, 12).Select(i => sb.Binop(IrOp.Add, sb.Get(8 * (i % 16), IrType.I64), U64((ulong)i * 0x1111))).ToList();
        var results = new List<IrValue>();
        for (int rotation = 0; rotation < 8; rotation++)
        {
            var picked = Enumerable.Range(0, 4).Select(k => temps[(k * 3 + rotation) % temps.Count]).ToArray();
            results.Add(sb.Call(TestHelpers.Mix, rotation % 2 == 0 ? picked : [.. picked.Reverse()]));
        }
        for (int i = 0; i < results.Count; i++) sb.Put(8 * i, results[i]);
        for (int i = 0; i < temps.Count; i++) sb.Put(GuestState.ShadowOffset + 8 * i, temps[i]);
        sb.Next = U64(0x401004);
        for (int r = 0; r < 16; r++) _m.State->Gpr[r] = 0x0101_0101_0101_0101UL * (ulong)(r + 1);

        Differential.Check(_m, sb, "helper arguments");
    }

    [Test]
    public void OperationsTheBackendDoesNotInlineGoThroughTheEvaluator()
    {
        var sb = Block();
        var x = sb.Get(GuestState.OffRax, IrType.I64);
        var v = sb.Get(GuestState.OffXmm0, IrType.V128);
        var w = sb.Get(GuestState.XmmOffset(1), IrType.V128);
        sb.Put(GuestState.OffRbx, sb.Unop(IrOp.Popcount, IrType.I64, x));
        sb.Put(GuestState.OffRcx, sb.Unop(IrOp.Clz, IrType.I64, x));
        sb.Put(GuestState.XmmOffset(2), sb.Binop(IrOp.VAdd, IrType.V128, v, w, IrType.I32));
        var f = sb.Unop(IrOp.Bitcast, IrType.F64, x);
        sb.Put(GuestState.OffRdx, sb.Binop(IrOp.FAdd, IrType.F64, f, f));
        sb.Next = U64(0x401004);
        _m.State->Gpr[0] = BitConverter.DoubleToUInt64Bits(1.5);
        for (int i = 0; i < 4; i++) _m.State->Xmm[i] = 0x0000_0001_FFFF_FFFFUL * (ulong)(i + 1);

        Differential.Check(_m, sb, "evaluator ops");
        Assert.That(BitConverter.UInt64BitsToDouble(_m.State->Gpr[2]), Is.EqualTo(3.0));
    }

    [Test]
    public void ManyLiveTempsSpillAndStayCorrect()
    {
        var sb = Block();
        var temps = new List<IrValue>();
        for (int i = 0; i < 24; i++)
            temps.Add(sb.Binop(IrOp.Add, sb.Get(GuestState.GprOffset(i % 16), IrType.I64), U64((ulong)i * 0x1111)));
        sb.Call(TestHelpers.BumpRbx, temps[3]);
        var sum = temps[0];
        for (int i = 1; i < temps.Count; i++) sum = sb.Binop(IrOp.Xor, sb.Binop(IrOp.Rol, sum, U8(3)), temps[i]);
        sb.Put(GuestState.OffRax, sum);
        for (int i = 0; i < 8; i++) sb.Put(GuestState.OffR8 + 8 * i, temps[23 - i]);
        sb.Next = U64(0x401004);
        for (int i = 0; i < 16; i++) _m.State->Gpr[i] = 0x0123_4567_89AB_CDEFUL * (ulong)(i + 3);

        Differential.Check(_m, sb, "register pressure");
    }

    [Test]
    public void IndirectNextReturnsTheComputedTarget()
    {
        var sb = Block();
        sb.Next = sb.Get(GuestState.OffRsp, IrType.I64);
        sb.NextKind = JumpKind.Ret;
        _m.State->Gpr[4] = 0x7777;

        Assert.That(_m.Run(_m.Compile(sb)), Is.EqualTo(0x7777UL));
        Assert.That((JumpKind)_m.State->ExitKind, Is.EqualTo(JumpKind.Ret));
        Assert.That(_m.State->ExitAddr, Is.Zero);
    }

    [Test]
    public void SyscallExitIsNotAChainSite()
    {
        var sb = Block();
        sb.Next = U64(0x401002);
        sb.NextKind = JumpKind.Syscall;
        _m.State->ExitAddr = 1;

        Assert.That(_m.Run(_m.Compile(sb)), Is.EqualTo(0x401002UL));
        Assert.That((JumpKind)_m.State->ExitKind, Is.EqualTo(JumpKind.Syscall));
        Assert.That(_m.State->ExitAddr, Is.Zero);
    }
}
