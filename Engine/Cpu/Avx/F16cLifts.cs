using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Cpu.Sse;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Avx.VexOperands;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Avx;

/// <summary>
/// F16C: vcvtph2ps (4 or 8 halves from xmm/m64 or xmm/m128 to singles) and vcvtps2ph (4 or 8 singles to halves
/// in xmm/m64 or xmm/m128, rounded by imm8[1:0], or by MXCSR.RC when imm8[2] is set). One pure helper call per lane,
/// so memcheck's definedness stays per lane.
/// </summary>
internal static unsafe class F16cLifts
{
    private static readonly IrHelper HalfToSingle = new("f16c_half_to_single", &HalfToSingleEntry, 1, isPure: true);
    /// <summary>(single bits, rounding mode) -> half bits.</summary>
    private static readonly IrHelper SingleToHalf = new("f16c_single_to_half", &SingleToHalfEntry, 2, isPure: true);

    public static void Register(LifterTable t)
    {
        t.Add(Mnemonic.Vcvtph2ps, Widen);
        t.Add(Mnemonic.Vcvtps2ph, Narrow);
    }

    private static bool Widen(LiftContext c)
    {
        if (!IsVex(c) || !IsVectorRegister(c, 0)) return false;
        var sb = c.Sb;
        int lanes = Bytes(c, 0) / 4;
        var source = Low(c, 1);
        var result = new[] { Zero, Zero };
        for (int i = 0; i < lanes; i++)
        {
            var half = sb.Unop(IrOp.ZeroExtend, IrType.I64, Lane(sb, source, i, IrType.I16));
            var single = sb.Unop(IrOp.Truncate, IrType.I32, sb.Call(HalfToSingle, half));
            result[i / 4] = WithLane(sb, result[i / 4], i % 4, single);
        }
        Put(c, 0, result[0], result[1]);
        return true;
    }

    private static bool Narrow(LiftContext c)
    {
        if (!IsVex(c) || !IsVectorRegister(c, 1)) return false;
        var sb = c.Sb;
        int imm = c.Insn.Immediate8, lanes = Bytes(c, 1) / 4;
        var mode = (imm & 4) != 0 ? sb.Unop(IrOp.ZeroExtend, IrType.I64, SseFloatLifts.MxcsrRounding(sb)) : IrValue.U64((ulong)(imm & 3));
        var source = Halves(c, 1, lanes / 4);
        var result = Zero;
        for (int i = 0; i < lanes; i++)
        {
            var single = sb.Unop(IrOp.ZeroExtend, IrType.I64, Lane(sb, source[i / 4], i % 4, IrType.I32));
            result = WithLane(sb, result, i, sb.Unop(IrOp.Truncate, IrType.I16, sb.Call(SingleToHalf, single, mode)));
        }
        if (c.IsMemory(0))
        {
            var addr = c.EffectiveAddress(0);
            if (lanes == 8) c.Store(addr, result);
            else c.Store(addr, Low64(sb, result));
        }
        else PutDest(c, result);
        return true;
    }

    [UnmanagedCallersOnly]
    private static ulong HalfToSingleEntry(GuestState* state, ulong half, ulong a1, ulong a2, ulong a3) => HalfFloat.ToSingle((ushort)half);

    [UnmanagedCallersOnly]
    private static ulong SingleToHalfEntry(GuestState* state, ulong single, ulong mode, ulong a2, ulong a3) => HalfFloat.FromSingle((uint)single, (int)mode);
}
