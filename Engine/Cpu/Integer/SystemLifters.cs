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

    /// <summary>rdrand/rdseed: 64 random bits from the host's generator.</summary>
    public static readonly IrHelper Random = new("amd64g_random", &RandomEntry, 0, isPure: false);

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
        t.Add(Mnemonic.Rdtsc, ctx => ReadTimestamp(ctx, withProcessor: false));
        // rdtscp also reads IA32_TSC_AUX into ECX, which reads as 0 (as under Valgrind).
        t.Add(Mnemonic.Rdtscp, ctx => ReadTimestamp(ctx, withProcessor: true));
        t.Add(Mnemonic.Xgetbv, GetExtendedControlRegister);
        t.Add(Mnemonic.Rdrand, ReadRandom);
        t.Add(Mnemonic.Rdseed, ReadRandom);
    }

    private static bool ReadTimestamp(LiftContext ctx, bool withProcessor)
    {
        var tsc = ctx.Sb.Call(Rdtsc);
        ctx.PutGpr(Register.EAX, ctx.Trunc(IrType.I32, tsc));
        ctx.PutGpr(Register.EDX, ctx.Sb.Unop(IrOp.HighHalf, IrType.I32, tsc));
        if (withProcessor) ctx.PutGpr(Register.ECX, IrValue.U32(0));
        return true;
    }

    /// <summary>xgetbv: XCR0 (ECX = 0) in EDX:EAX; any other register raises #GP, as there is no XCR1 (no XGETBV_ECX_1).</summary>
    private static bool GetExtendedControlRegister(LiftContext ctx)
    {
        var ecx = ctx.GetGpr(Register.ECX);
        ctx.FaultExit(ctx.Cmp(IrOp.CmpNE, ecx, IrValue.U32(0)), JumpKind.GeneralProtection);
        ctx.PutGpr(Register.EAX, IrValue.U32(CpuidTable.Xcr0 & 0xFFFF_FFFF));
        ctx.PutGpr(Register.EDX, IrValue.U32(CpuidTable.Xcr0 >> 32));
        return true;
    }

    /// <summary>rdrand/rdseed: a random value that is always available (CF = 1; OF, SF, ZF, AF, PF cleared).</summary>
    private static bool ReadRandom(LiftContext ctx)
    {
        var value = ctx.Sb.Call(Random);
        ctx.Write(0, ctx.Trunc(ctx.OperandType(0), value));
        ctx.SetFlagsFromRflags(IrValue.U64(X86Flags.CF));
        return true;
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
    private static ulong RandomEntry(GuestState* s, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        Span<byte> bytes = stackalloc byte[8];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }

    [UnmanagedCallersOnly]
    private static ulong RdtscEntry(GuestState* s, ulong a0, ulong a1, ulong a2, ulong a3) => (ulong)Stopwatch.GetTimestamp();
}
