using Iced.Intel;
using Memcheck.Engine.Core;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Instrumentation;
using Memcheck.Engine.Tools.Memcheck.Origins;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.MemcheckTool.Instrumentation;

/// <summary>
/// Stack memory comes to life undefined and dies noaccess, 128 bytes below the stack pointers, and calls and returns
/// make the red zone undefined, as in Valgrind; with origins, created by the instruction moving the stack pointer
/// down or by the code a call or return jumps to.
/// </summary>
public class StackPointerTrackingTests
{
    private const int Red = StackPointerTracking.RedZone;
    private VBitMachine _m = null!;
    private ulong _sp;

    [SetUp]
    public void Create()
    {
        _m = new VBitMachine { Stack = new StackPointerTracking(StackHelpers.Events) };
        _sp = _m.At(2048);
        _m.SetGpr(Register.RSP, _sp);
    }

    [TearDown]
    public void Dispose() => _m.Dispose();

    private VaBits At(ulong address) => _m.Tool.Shadow.Get(address);

    [Test]
    public void SubtractingFromRspMakesTheNewStackUndefined()
    {
        _m.Run(a => a.sub(rsp, 32));
        Assert.That(At(_sp - Red - 33), Is.EqualTo(VaBits.Defined));
        Assert.That(At(_sp - Red - 32), Is.EqualTo(VaBits.Undefined));
        Assert.That(At(_sp - Red - 1), Is.EqualTo(VaBits.Undefined));
        Assert.That(At(_sp - Red), Is.EqualTo(VaBits.Defined), "the red zone keeps its state");
    }

    [Test]
    public void PushThenPopLeavesTheSlotBelowTheRedZoneNoAccess()
    {
        _m.Run(a =>
        {
            a.push(rax);
            a.push(rbx);
            a.pop(rbx);
            a.pop(rax);
        });
        Assert.That(At(_sp - Red - 16), Is.EqualTo(VaBits.NoAccess));
        Assert.That(At(_sp - Red - 1), Is.EqualTo(VaBits.NoAccess));
        Assert.That(At(_sp - Red), Is.EqualTo(VaBits.Defined));
        Assert.That(At(_sp - Red - 17), Is.EqualTo(VaBits.Defined));
    }

    [Test]
    public void AMoveByARunTimeAmountIsTrackedToo()
    {
        _m.SetGpr(Register.RBX, _sp - 64);
        _m.Run(a => a.mov(rsp, rbx));
        Assert.That(At(_sp - Red - 64), Is.EqualTo(VaBits.Undefined));
        Assert.That(At(_sp - Red - 65), Is.EqualTo(VaBits.Defined));
    }

    [Test]
    public void AMoveOfMoreThanMaxStackFrameIsAStackSwitch()
    {
        _m.SetGpr(Register.RBX, _sp - 3_000_000);
        _m.Run(a => a.mov(rsp, rbx));
        Assert.That(At(_sp - Red - 8), Is.EqualTo(VaBits.Defined));
    }

    [Test]
    public void ACallMakesTheRedZoneBelowTheReturnAddressUndefined()
    {
        _m.Run(a =>
        {
            var callee = a.CreateLabel();
            a.call(callee);
            a.Label(ref callee);
            a.add(rsp, 8);
        });
        Assert.That(At(_sp - Red), Is.EqualTo(VaBits.Undefined));
        Assert.That(At(_sp - 9), Is.EqualTo(VaBits.Undefined));
        Assert.That(At(_sp - 8), Is.EqualTo(VaBits.Defined), "the return address");
    }

    [Test]
    public void AReturnMakesTheCallersRedZoneUndefined()
    {
        _m.Run(CallAndReturn);
        Assert.That(At(_sp - Red - 1), Is.EqualTo(VaBits.NoAccess));
        Assert.That(At(_sp - Red), Is.EqualTo(VaBits.Undefined));
        Assert.That(At(_sp - 1), Is.EqualTo(VaBits.Undefined), "the return address is dead too");
        Assert.That(At(_sp), Is.EqualTo(VaBits.Defined));
    }

    [Test]
    public void WithOriginsANewFrameIsCreatedByTheInstructionMovingTheStackPointer()
    {
        UseOrigins();
        _m.Run(a =>
        {
            a.nop();
            a.sub(rsp, 256);
        });
        Assert.That(Origin(_sp - Red - 256), Is.EqualTo(_m.Tool.StackOrigin(_m.AddressOf(Mnemonic.Sub))));
    }

    [Test]
    public void WithOriginsAFrameMadeJustBeforeACallIsCreatedByTheCall()
    {
        // No memory access between the sub and the call: the sub's RSP write is redundant and the call moves RSP the
        // whole way, as in VEX's IR, so memcheck blames the call (gcc -O0: sub rsp, then a call to memset).
        UseOrigins();
        _m.Run(a =>
        {
            var callee = a.CreateLabel();
            a.sub(rsp, 0xb8);
            a.mov(edx, 8);
            a.call(callee);
            a.Label(ref callee);
            a.nop();
        });
        // Above the callee's red zone (which names the callee) and below the old red zone.
        Assert.That(Origin(_sp - 0x90), Is.EqualTo(_m.Tool.StackOrigin(_m.AddressOf(Mnemonic.Call))));
    }

    [Test]
    public void WithOriginsACallsRedZoneIsCreatedByTheFunctionCalled()
    {
        UseOrigins();
        _m.Run(a =>
        {
            var callee = a.CreateLabel();
            a.call(callee);
            a.Label(ref callee);
            a.nop();
        });
        uint entry = _m.Tool.StackOrigin(_m.AddressOf(Mnemonic.Nop));
        Assert.That(Origin(_sp - 16), Is.EqualTo(entry));
        Assert.That(Origin(_sp - 8 - Red), Is.EqualTo(entry), "the call's push brought it to life; the red zone names the callee");
        Assert.That(Origin(_sp - 8), Is.EqualTo(OriginTags.None), "the return address");
    }

    [Test]
    public void WithOriginsAReturnsRedZoneIsCreatedByWhereItReturnsTo()
    {
        UseOrigins();
        _m.Run(CallAndReturn);
        Assert.That(Origin(_sp - 16), Is.EqualTo(_m.Tool.StackOrigin(_m.AddressOf(Mnemonic.Jmp))));
    }

    /// <summary>A call to a function that returns at once, then a jump over it to the end.</summary>
    private static void CallAndReturn(Assembler a)
    {
        var callee = a.CreateLabel();
        var end = a.CreateLabel();
        a.call(callee);
        a.jmp(end);
        a.Label(ref callee);
        a.ret();
        a.Label(ref end);
        a.nop();
    }

    private void UseOrigins()
    {
        _m.Dispose();
        _m = new VBitMachine(trackOrigins: true);
        _m.Stack = new StackPointerTracking(StackHelpers.WithOrigins(_m.Tool.StackOrigin, _m.Tool.Shadow.Origins!.Primary, _m.Tool.Sources.RecentStacks));
        _m.SetGpr(Register.RSP, _sp = _m.At(2048));
    }

    private uint Origin(ulong address) => _m.Tool.Shadow.Origins!.Load(address, 1);

    [Test]
    public void BranchingOnAnUninitialisedLocalIsReported()
    {
        _m.Run(a =>
        {
            var skip = a.CreateLabel();
            a.sub(rsp, 256);
            a.mov(eax, __dword_ptr[rsp + 8]);
            a.cmp(eax, 1);
            a.je(skip);
            a.nop();
            a.Label(ref skip);
            a.nop();
        });
        Assert.That(_m.Tool.Reports, Is.EqualTo(new[] { new Report("cond", 0, _m.AddressOf(Mnemonic.Je)) }));
    }
}
