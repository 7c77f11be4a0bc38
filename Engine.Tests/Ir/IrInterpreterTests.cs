using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using System.Runtime.InteropServices;

namespace Memcheck.Engine.Tests.Ir;

public unsafe class IrInterpreterTests
{
    private readonly IrInterpreter _interpreter = new();

    [Test]
    public void AddsTwoRegistersAndFallsThroughToNext()
    {
        using var st = new TestState();
        st.State->Gpr[0] = 40;
        st.State->Gpr[1] = 2;
        var sb = new Superblock(0x1000);
        sb.IMark(0x1000, 3);
        var a = sb.Get(GuestState.OffRax, IrType.I64);
        var b = sb.Get(GuestState.OffRcx, IrType.I64);
        sb.Put(GuestState.OffRdx, sb.Binop(IrOp.Add, a, b));
        sb.Next = IrValue.U64(0x1003);

        var exit = _interpreter.Run(sb, st.State, NoMemory.Instance);

        Assert.That(st.State->Gpr[2], Is.EqualTo(42UL));
        Assert.That(exit, Is.EqualTo(new BlockExit(0x1003, JumpKind.Boring)));
        Assert.That(st.State->Rip, Is.EqualTo(0x1003UL));
        Assert.That(st.State->InstrCount, Is.EqualTo(1UL));
    }

    [Test]
    public void NarrowPutWritesOnlyItsBytes()
    {
        using var st = new TestState();
        st.State->Gpr[0] = 0x1122334455667788;
        var sb = new Superblock(0);
        sb.Put(GuestState.OffRax, IrValue.U16(0xBEEF));
        sb.Next = IrValue.U64(0);
        _interpreter.Run(sb, st.State, NoMemory.Instance);
        Assert.That(st.State->Gpr[0], Is.EqualTo(0x112233445566BEEFUL));
    }

    [Test]
    public void LoadAndStoreTouchTheGuestAddress()
    {
        using var st = new TestState();
        using var mem = new TestMemory(64);
        *(ulong*)(mem.Base + 8) = 0xDEADBEEFCAFEF00D;
        st.State->Gpr[0] = mem.Address;
        var sb = new Superblock(0);
        sb.IMark(0, 4);
        var p = sb.Get(GuestState.OffRax, IrType.I64);
        var v = sb.Load(IrType.I32, sb.Binop(IrOp.Add, p, IrValue.U64(8)));
        sb.Store(sb.Binop(IrOp.Add, p, IrValue.U64(20)), v);
        sb.Next = IrValue.U64(4);

        _interpreter.Run(sb, st.State, mem);

        Assert.That(*(uint*)(mem.Base + 20), Is.EqualTo(0xCAFEF00DU));
        Assert.That(*(uint*)(mem.Base + 24), Is.EqualTo(0U));
    }

    [Test]
    public void RefusedStoreLeavesWithSigSegvAtItsInstruction()
    {
        using var st = new TestState();
        using var mem = new TestMemory(16) { ReadOnly = true };
        var sb = new Superblock(0x400000);
        sb.IMark(0x400000, 2);
        sb.Put(GuestState.OffRbx, IrValue.U64(1));
        sb.IMark(0x400002, 3);
        sb.Store(IrValue.U64(mem.Address + 4), IrValue.U32(7));
        sb.Put(GuestState.OffRbx, IrValue.U64(2));
        sb.Next = IrValue.U64(0x400005);

        var exit = _interpreter.Run(sb, st.State, mem);

        Assert.That(exit, Is.EqualTo(new BlockExit(0x400002, JumpKind.SigSegv)));
        Assert.That(st.State->FaultAddr, Is.EqualTo(mem.Address + 4));
        Assert.That(st.State->Rip, Is.EqualTo(0x400002UL));
        Assert.That(st.State->Gpr[3], Is.EqualTo(1UL), "statements after the fault must not run");
        Assert.That(*(uint*)(mem.Base + 4), Is.EqualTo(0U));
    }

    [Test]
    public void RefusedLoadOutsideGuestMemoryFaults()
    {
        using var st = new TestState();
        using var mem = new TestMemory(16);
        var sb = new Superblock(0x10);
        sb.IMark(0x10, 4);
        sb.Load(IrType.I64, IrValue.U64(mem.Address + 12));
        sb.Next = IrValue.U64(0x14);

        var exit = _interpreter.Run(sb, st.State, mem);

        Assert.That(exit.Kind, Is.EqualTo(JumpKind.SigSegv));
        Assert.That(st.State->FaultAddr, Is.EqualTo(mem.Address + 12));
    }

    [Test]
    public void TakenSideExitLeavesWithItsTargetAndKind()
    {
        using var st = new TestState();
        var sb = new Superblock(0x100);
        sb.IMark(0x100, 2);
        var zero = sb.Binop(IrOp.CmpEQ, IrType.I1, sb.Get(GuestState.OffRax, IrType.I64), IrValue.U64(0));
        sb.Exit(zero, 0x200, JumpKind.Call);
        sb.IMark(0x102, 2);
        sb.Put(GuestState.OffRcx, IrValue.U64(9));
        sb.Next = IrValue.U64(0x104);

        var exit = _interpreter.Run(sb, st.State, NoMemory.Instance);

        Assert.That(exit, Is.EqualTo(new BlockExit(0x200, JumpKind.Call)));
        Assert.That(st.State->Rip, Is.EqualTo(0x200UL));
        Assert.That(st.State->Gpr[1], Is.EqualTo(0UL));
        Assert.That(st.State->InstrCount, Is.EqualTo(1UL));
    }

    [Test]
    public void UntakenSideExitContinues()
    {
        using var st = new TestState();
        st.State->Gpr[0] = 5;
        var sb = new Superblock(0x100);
        var zero = sb.Binop(IrOp.CmpEQ, IrType.I1, sb.Get(GuestState.OffRax, IrType.I64), IrValue.U64(0));
        sb.Exit(zero, 0x200, JumpKind.Boring);
        sb.Next = IrValue.U64(0x104);
        sb.NextKind = JumpKind.Ret;

        Assert.That(_interpreter.Run(sb, st.State, NoMemory.Instance), Is.EqualTo(new BlockExit(0x104, JumpKind.Ret)));
    }

    [Test]
    public void GetIAndPutIWrapAroundTheArray()
    {
        using var st = new TestState();
        for (int i = 0; i < 8; i++) st.State->FpReg[i] = i;
        var sb = new Superblock(0);
        // element (6 + 3) mod 8 = 1
        var x = sb.GetI(GuestState.OffFpReg0, IrType.F64, 8, IrValue.U32(6), 3);
        // element (1 - 2) mod 8 = 7
        sb.PutI(GuestState.OffFpReg0, 8, IrValue.U32(1), -2, x);
        sb.Next = IrValue.U64(0);

        _interpreter.Run(sb, st.State, NoMemory.Instance);

        Assert.That(st.State->FpReg[7], Is.EqualTo(1.0));
    }

    [Test]
    public void VectorGetPutCopiesAll16Bytes()
    {
        using var st = new TestState();
        st.State->Xmm[2] = 0x0102030405060708;
        st.State->Xmm[3] = 0x1112131415161718;
        var sb = new Superblock(0);
        sb.Put(GuestState.XmmOffset(5), sb.Get(GuestState.XmmOffset(1), IrType.V128));
        sb.Next = IrValue.U64(0);

        _interpreter.Run(sb, st.State, NoMemory.Instance);

        Assert.That(st.State->Xmm[10], Is.EqualTo(0x0102030405060708UL));
        Assert.That(st.State->Xmm[11], Is.EqualTo(0x1112131415161718UL));
    }

    [Test]
    public void IteSelectsByCondition()
    {
        using var st = new TestState();
        var sb = new Superblock(0);
        sb.Put(GuestState.OffRax, sb.Ite(IrValue.U1(true), IrValue.U64(1), IrValue.U64(2)));
        sb.Put(GuestState.OffRcx, sb.Ite(IrValue.U1(false), IrValue.U64(1), IrValue.U64(2)));
        sb.Next = IrValue.U64(0);
        _interpreter.Run(sb, st.State, NoMemory.Instance);
        Assert.That((st.State->Gpr[0], st.State->Gpr[1]), Is.EqualTo((1UL, 2UL)));
    }

    [UnmanagedCallersOnly]
    private static ulong SumHelper(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        state->Gpr[7] = 77;
        return a0 + a1 + a2 + a3;
    }

    [Test]
    public void CallPassesArgumentsPaddedWithZeroAndTheState()
    {
        using var st = new TestState();
        var helper = new IrHelper("sum", &SumHelper, 2, isPure: false, stateWrites: [(GuestState.OffRdi, 8)]);
        var sb = new Superblock(0);
        sb.Put(GuestState.OffRax, sb.Call(helper, IrValue.U64(30), IrValue.U64(12)));
        sb.Next = IrValue.U64(0);

        _interpreter.Run(sb, st.State, NoMemory.Instance);

        Assert.That(st.State->Gpr[0], Is.EqualTo(42UL));
        Assert.That(st.State->Gpr[7], Is.EqualTo(77UL));
    }

    [Test]
    public void NextMayBeAComputedTarget()
    {
        using var st = new TestState();
        st.State->Gpr[4] = 0xABC0;
        var sb = new Superblock(0);
        sb.Next = sb.Get(GuestState.OffRsp, IrType.I64);
        sb.NextKind = JumpKind.Ret;
        Assert.That(_interpreter.Run(sb, st.State, NoMemory.Instance), Is.EqualTo(new BlockExit(0xABC0, JumpKind.Ret)));
    }
}
