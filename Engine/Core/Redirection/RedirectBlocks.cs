using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Core.Redirection;

/// <summary>
/// The superblocks that stand in for guest code at redirected addresses. Each is one pseudo-instruction at its
/// address in the replacement object, so tools instrument it like any block and stacks taken inside name it.
/// </summary>
internal static class RedirectBlocks
{
    private static readonly int[] ArgumentRegisters = [GuestState.OffRdi, GuestState.OffRsi, GuestState.OffRdx, GuestState.OffRcx];

    /// <summary>
    /// A call to a replaced function: the tool's helper on the argument registers, its result in rax, then return;
    /// or, when the helper asked for another ending (<see cref="ReplacementEnding"/>), SIGSEGV at the replacement or
    /// a jump to <paramref name="exitGuest"/>.
    /// </summary>
    public static Superblock Replacement(ulong pc, ulong synthetic, IrHelper helper, ulong exitGuest)
    {
        var sb = Begin(pc, synthetic);
        var args = new IrValue[helper.ArgCount];
        for (int i = 0; i < args.Length; i++) args[i] = sb.Get(ArgumentRegisters[i], IrType.I64);
        var result = sb.Call(helper, args);
        var ending = sb.Get(GuestState.OffReplacementEnding, IrType.I64);
        sb.Put(GuestState.OffReplacementEnding, IrValue.U64(ReplacementEnding.Returns));
        sb.Exit(sb.Binop(IrOp.CmpEQ, IrType.I1, ending, IrValue.U64(ReplacementEnding.Faults)), synthetic, JumpKind.SigSegv);
        sb.Exit(sb.Binop(IrOp.CmpEQ, IrType.I1, ending, IrValue.U64(ReplacementEnding.Exits)), exitGuest, JumpKind.Boring);
        sb.Put(GuestState.OffRax, result);
        Return(sb);
        return sb;
    }

    /// <summary>The guest's exit_group with the status a replacement gave (<see cref="ReplacementEnding.Exit"/>).</summary>
    public static Superblock ExitGuest(ulong synthetic)
    {
        var sb = Begin(synthetic, synthetic);
        sb.Put(GuestState.OffRax, IrValue.U64((ulong)SyscallTable.Named("exit_group").Number));
        sb.Put(GuestState.OffRdi, sb.Get(GuestState.OffReplacementStatus, IrType.I64));
        sb.Next = IrValue.U64(synthetic);
        sb.NextKind = JumpKind.Syscall;
        return sb;
    }

    /// <summary>An IFUNC resolver answering with the replacement's address, which ld.so then puts in the GOT.</summary>
    public static Superblock ResolverOf(ulong pc, ulong synthetic)
    {
        var sb = Begin(pc, synthetic);
        sb.Put(GuestState.OffRax, IrValue.U64(synthetic));
        Return(sb);
        return sb;
    }

    /// <summary>
    /// Calls <paramref name="function"/> on a fresh 16-byte aligned frame below the red zone, returning to
    /// <paramref name="returnAddress"/>: how the engine makes the guest run its own code at exit.
    /// </summary>
    public static Superblock CallFrom(ulong synthetic, ulong function, ulong returnAddress)
    {
        var sb = Begin(synthetic, synthetic);
        const ulong RedZone = 128;
        var aligned = sb.Binop(IrOp.And, sb.Binop(IrOp.Sub, sb.Get(GuestState.OffRsp, IrType.I64), IrValue.U64(RedZone)), IrValue.U64(~15UL));
        var rsp = sb.Binop(IrOp.Sub, aligned, IrValue.U64(8));
        sb.Put(GuestState.OffRsp, rsp);
        sb.Store(rsp, IrValue.U64(returnAddress));
        sb.Next = IrValue.U64(function);
        sb.NextKind = JumpKind.Call;
        return sb;
    }

    private static Superblock Begin(ulong pc, ulong synthetic)
    {
        var sb = new Superblock(pc);
        sb.Extents.Add((pc, 1));
        sb.IMark(synthetic, 1);
        sb.Put(GuestState.OffRip, IrValue.U64(synthetic));
        return sb;
    }

    private static void Return(Superblock sb)
    {
        var rsp = sb.Get(GuestState.OffRsp, IrType.I64);
        var target = sb.Load(IrType.I64, rsp);
        sb.Put(GuestState.OffRsp, sb.Binop(IrOp.Add, rsp, IrValue.U64(8)));
        sb.Next = target;
        sb.NextKind = JumpKind.Ret;
    }
}
