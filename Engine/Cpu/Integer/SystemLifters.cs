using System.Diagnostics;
using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Integer.LiftHelpers;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>Hints, fences, cpuid, rdtsc, and the instructions that hand control to the kernel or raise signals.</summary>
internal static unsafe class SystemLifters
{
    /// <summary>cpuid: reads EAX, ECX; writes RAX, RBX, RCX, RDX.</summary>
    public static readonly IrHelper Cpuid = new("amd64g_cpuid", &CpuidEntry, 0, isPure: false,
        stateReads: [(GuestState.OffRax, 8), (GuestState.OffRcx, 8)],
        stateWrites: [(GuestState.OffRax, 32)]);

    /// <summary>rdtsc: the host's timestamp counter (the monotonic clock in its ticks).</summary>
    public static readonly IrHelper Rdtsc = new("amd64g_rdtsc", &RdtscEntry, 0, isPure: false);

    public static void AddTo(GprOnlyTable t)
    {
        foreach (var m in NoEffect) t.Add(m, _ => true);
        t.Add(Mnemonic.Pause, ctx => End(ctx, ctx.NextAddress, JumpKind.Yield));
        t.Add(Mnemonic.Syscall, ctx => End(ctx, ctx.NextAddress, JumpKind.Syscall));
        t.Add(Mnemonic.Int3, ctx => End(ctx, ctx.NextAddress, JumpKind.SigTrap));
        t.Add(Mnemonic.Ud2, ctx => End(ctx, ctx.Address, JumpKind.SigIll));
        t.Add(Mnemonic.Hlt, ctx => End(ctx, ctx.Address, JumpKind.Halt));
        // Outside a transaction xtest sets ZF and clears the other flags (glibc's lock elision asks).
        t.Add(Mnemonic.Xtest, ctx =>
        {
            ctx.SetFlagsFromRflags(IrValue.U64(X86Flags.ZF));
            return true;
        });
        t.Add(Mnemonic.Cpuid, ctx =>
        {
            ctx.Sb.Call(Cpuid);
            return true;
        });
        t.Add(Mnemonic.Rdtsc, ctx =>
        {
            var tsc = ctx.Sb.Call(Rdtsc);
            ctx.PutGpr(Register.EAX, ctx.Trunc(IrType.I32, tsc));
            ctx.PutGpr(Register.EDX, ctx.Sb.Unop(IrOp.HighHalf, IrType.I32, tsc));
            return true;
        });
    }

    /// <summary>Hints and fences: guest execution is serialised, so ordering needs nothing.</summary>
    private static readonly Mnemonic[] NoEffect =
    [
        Mnemonic.Nop, Mnemonic.Endbr64, Mnemonic.Prefetchnta, Mnemonic.Prefetcht0, Mnemonic.Prefetcht1,
        Mnemonic.Prefetcht2, Mnemonic.Prefetchw, Mnemonic.Prefetch, Mnemonic.Mfence, Mnemonic.Lfence, Mnemonic.Sfence,
    ];

    private static bool End(LiftContext ctx, ulong next, JumpKind kind)
    {
        ctx.EndBlock(IrValue.U64(next), kind);
        return true;
    }

    [UnmanagedCallersOnly]
    private static ulong CpuidEntry(GuestState* s, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        var leaf = CpuidTable.Lookup((uint)s->Gpr[0], (uint)s->Gpr[1]);
        s->Gpr[0] = leaf.Eax;
        s->Gpr[3] = leaf.Ebx;
        s->Gpr[1] = leaf.Ecx;
        s->Gpr[2] = leaf.Edx;
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong RdtscEntry(GuestState* s, ulong a0, ulong a1, ulong a2, ulong a3) => (ulong)Stopwatch.GetTimestamp();
}
