using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Core;

/// <summary>What the core's SP-update pass announces for blocks ending in a call or return, read off the IR it emits.</summary>
public unsafe class StackPointerTrackingPassTests
{
    private static readonly IrHelper NewStack = new("test_new_stack", &Nothing, 2, isPure: false);
    private static readonly IrHelper DieStack = new("test_die_stack", &Nothing, 2, isPure: false);
    private static readonly IrHelper UnknownMove = new("test_unknown_sp_update", &Nothing, 2, isPure: false);
    private static readonly IrHelper NewStackCreated = new("test_new_stack_created", &Nothing, 3, isPure: false);
    private static readonly IrHelper CreatorAt = new("test_creator_at", &Nothing, 1, isPure: true);

    [UnmanagedCallersOnly]
    private static ulong Nothing(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3) => 0;

    /// <summary>An optional <c>sub rsp, frame</c>, then a call: RSP moved down 8, the return address stored there.</summary>
    private static Superblock CallBlock(ulong frame)
    {
        var sb = new Superblock(0x1000);
        if (frame > 0)
        {
            sb.IMark(0x1000, 4);
            sb.Put(GuestState.OffRsp, sb.Binop(IrOp.Sub, sb.Get(GuestState.OffRsp, IrType.I64), IrValue.U64(frame)));
        }
        sb.IMark(0x1004, 5);
        var pushed = sb.Binop(IrOp.Sub, sb.Get(GuestState.OffRsp, IrType.I64), IrValue.U64(8));
        sb.Put(GuestState.OffRsp, pushed);
        sb.Store(pushed, IrValue.U64(0x1009));
        sb.Next = IrValue.U64(0x2000);
        sb.NextKind = JumpKind.Call;
        return sb;
    }

    /// <summary>The lengths of the new stack the pass announces, in order.</summary>
    private static ulong[] NewStackLengths(StackEvents events, ulong frame) =>
        [.. new StackPointerTracking(events).Instrument(CallBlock(frame)).Statements.ToArray()
            .Where(s => s.Kind == StmtKind.Call && s.Helper == NewStack).Select(s => s.Args![1].Const)];

    [Test]
    public void WithTheAbiHintACallsPushIsAnnouncedOnlyAsTheRedZoneThatCoversIt() =>
        Assert.That(NewStackLengths(new StackEvents(NewStack, DieStack, UnknownMove) { RedZoneDies = true }, frame: 0),
            Is.EqualTo(new ulong[] { StackPointerTracking.RedZone }));

    [Test]
    public void WithTheAbiHintAFrameMadeJustBeforeACallIsAnnouncedAboveTheRedZone() =>
        Assert.That(NewStackLengths(new StackEvents(NewStack, DieStack, UnknownMove) { RedZoneDies = true }, frame: 0xb8),
            Is.EqualTo(new ulong[] { 0xb8 + 8 - StackPointerTracking.RedZone, StackPointerTracking.RedZone }));

    [Test]
    public void WithoutTheAbiHintACallsPushIsAnnouncedWhole() =>
        Assert.That(NewStackLengths(new StackEvents(NewStack, DieStack, UnknownMove), frame: 0), Is.EqualTo(new ulong[] { 8 }));

    /// <summary>A return: the return address loaded, RSP moved up 8, a jump to the address loaded.</summary>
    private static Superblock ReturnBlock()
    {
        var sb = new Superblock(0x2000);
        sb.IMark(0x2000, 1);
        var rsp = sb.Get(GuestState.OffRsp, IrType.I64);
        sb.Next = sb.Load(IrType.I64, rsp);
        sb.Put(GuestState.OffRsp, sb.Binop(IrOp.Add, rsp, IrValue.U64(8)));
        sb.NextKind = JumpKind.Ret;
        return sb;
    }

    [Test]
    public void NamingCreatorsAReturnsPopDiesAndItsRedZoneIsCreatedByATagAskedAtRunTime()
    {
        var events = new StackEvents(NewStackCreated, DieStack, UnknownMove)
        {
            CreatedBy = address => address, RedZoneDies = true, CreatorAt = CreatorAt,
        };
        var block = new StackPointerTracking(events).Instrument(ReturnBlock()).Statements.ToArray();
        var calls = block.Where(s => s.Kind == StmtKind.Call).ToArray();
        Assert.That(calls.Select(c => c.Helper), Is.EqualTo(new[] { DieStack, CreatorAt, NewStackCreated }));
        Assert.That(calls[0].Args![1].Const, Is.EqualTo(8UL), "the pop's 8 bytes released");
        Assert.That(calls[2].Args![1].Const, Is.EqualTo((ulong)StackPointerTracking.RedZone));
        Assert.That(calls[2].Args![2].Temp, Is.EqualTo(calls[1].Dst), "the red zone's creator is the target's");
    }
}
