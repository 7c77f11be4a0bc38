using System.Runtime.Intrinsics;
using HostSse = System.Runtime.Intrinsics.X86.Sse;
using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Sse;

/// <summary>
/// rcpps/rsqrtps and their scalar forms: approximations whose low bits differ between CPU vendors,
/// so a pure helper asks the host's own instruction per lane and the guest sees what it would natively.
/// </summary>
internal static unsafe class ApproximationLifts
{
    private static readonly IrHelper Reciprocal = new("sse_rcpss", &ReciprocalScalar, 1, isPure: true);
    private static readonly IrHelper ReciprocalSqrt = new("sse_rsqrtss", &ReciprocalSqrtScalar, 1, isPure: true);

    public static void Register(LifterTable t)
    {
        t.AddVector(Mnemonic.Rcpps, (c, _, _, s) => Lanes(c.Sb, Reciprocal, s, s, 4));
        t.AddVector(Mnemonic.Rsqrtps, (c, _, _, s) => Lanes(c.Sb, ReciprocalSqrt, s, s, 4));
        t.AddVector(Mnemonic.Rcpss, (c, _, d, s) => Lanes(c.Sb, Reciprocal, d, s, 1));
        t.AddVector(Mnemonic.Rsqrtss, (c, _, d, s) => Lanes(c.Sb, ReciprocalSqrt, d, s, 1));
    }

    /// <summary>The first <paramref name="count"/> lanes of <paramref name="into"/> from the helper on s's lanes.</summary>
    private static IrValue Lanes(Superblock sb, IrHelper helper, IrValue into, IrValue s, int count)
    {
        var result = into;
        for (int i = 0; i < count; i++)
        {
            var bits = sb.Unop(IrOp.ZeroExtend, IrType.I64, Lane(sb, s, i, IrType.I32));
            result = WithLane(sb, result, i, sb.Unop(IrOp.Truncate, IrType.I32, sb.Call(helper, bits)));
        }
        return result;
    }

    [UnmanagedCallersOnly]
    private static ulong ReciprocalScalar(GuestState* state, ulong bits, ulong a1, ulong a2, ulong a3) =>
        HostSse.ReciprocalScalar(Vector128.CreateScalar((uint)bits).AsSingle()).AsUInt32().ToScalar();

    [UnmanagedCallersOnly]
    private static ulong ReciprocalSqrtScalar(GuestState* state, ulong bits, ulong a1, ulong a2, ulong a3) =>
        HostSse.ReciprocalSqrtScalar(Vector128.CreateScalar((uint)bits).AsSingle()).AsUInt32().ToScalar();
}
