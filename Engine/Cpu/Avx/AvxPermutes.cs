using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Avx.VexOperands;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Avx;

/// <summary>
/// Instructions that move data between the two 128-bit halves or select lanes by index: broadcasts, 128-bit
/// inserts, extracts and permutes, vpermq/vpermpd, vpermd/vpermps and vpermilps/vpermilpd.
/// </summary>
internal static class AvxPermutes
{
    public static void Register(LifterTable t)
    {
        t.Add(Mnemonic.Vbroadcastss, c => Broadcast(c, IrType.I32));
        t.Add(Mnemonic.Vbroadcastsd, c => Broadcast(c, IrType.I64));
        t.Add(Mnemonic.Vpbroadcastb, c => Broadcast(c, IrType.I8));
        t.Add(Mnemonic.Vpbroadcastw, c => Broadcast(c, IrType.I16));
        t.Add(Mnemonic.Vpbroadcastd, c => Broadcast(c, IrType.I32));
        t.Add(Mnemonic.Vpbroadcastq, c => Broadcast(c, IrType.I64));
        t.Add(Mnemonic.Vbroadcastf128, BroadcastHalf);
        t.Add(Mnemonic.Vbroadcasti128, BroadcastHalf);
        t.Add(Mnemonic.Vinsertf128, InsertHalf);
        t.Add(Mnemonic.Vinserti128, InsertHalf);
        t.Add(Mnemonic.Vextractf128, ExtractHalf);
        t.Add(Mnemonic.Vextracti128, ExtractHalf);
        t.Add(Mnemonic.Vperm2f128, PermuteHalves);
        t.Add(Mnemonic.Vperm2i128, PermuteHalves);
        t.Add(Mnemonic.Vpermq, PermuteQwords);
        t.Add(Mnemonic.Vpermpd, PermuteQwords);
        t.Add(Mnemonic.Vpermd, PermuteDwords);
        t.Add(Mnemonic.Vpermps, PermuteDwords);
        t.Add(Mnemonic.Vpermilps, c => VexLanes.Lift(c, PermuteInLaneSingles));
        t.Add(Mnemonic.Vpermilpd, c => VexLanes.Lift(c, PermuteInLaneDoubles));
    }

    /// <summary>Lane 0 of an XMM register or a scalar in memory, copied to every lane of the destination.</summary>
    private static bool Broadcast(LiftContext c, IrType lane)
    {
        if (!IsVex(c) || !IsVectorRegister(c, 0) || !(IsXmm(c, 1) || c.IsMemory(1))) return false;
        var value = c.Sb.Unop(IrOp.VSplat, IrType.V128, Lane(c.Sb, Low(c, 1), 0, lane), lane);
        Put(c, 0, value, value);
        return true;
    }

    /// <summary>vbroadcastf128/vbroadcasti128: a 16-byte memory operand into both halves.</summary>
    private static bool BroadcastHalf(LiftContext c)
    {
        if (!IsVex(c) || !IsYmm(c, 0) || !c.IsMemory(1)) return false;
        var value = Low(c, 1);
        Put(c, 0, value, value);
        return true;
    }

    /// <summary>vinsertf128/vinserti128: the first source with half imm[0] replaced by an XMM register or m128.</summary>
    private static bool InsertHalf(LiftContext c)
    {
        if (!IsVex(c) || !IsYmm(c, 0)) return false;
        var (low, high) = Wide(c, 1);
        var inserted = Low(c, 2);
        if ((c.Insn.Immediate8 & 1) == 0) low = inserted;
        else high = inserted;
        Put(c, 0, low, high);
        return true;
    }

    /// <summary>vextractf128/vextracti128: half imm[0] of a YMM register to an XMM register or m128.</summary>
    private static bool ExtractHalf(LiftContext c)
    {
        if (!IsVex(c) || !IsYmm(c, 1)) return false;
        var (low, high) = Wide(c, 1);
        var half = (c.Insn.Immediate8 & 1) == 0 ? low : high;
        if (c.IsMemory(0)) c.Store(c.EffectiveAddress(0), half);
        else PutDest(c, half);
        return true;
    }

    /// <summary>vperm2f128/vperm2i128: each result half is one of the four source halves (imm[1:0], imm[5:4]) or zero (imm[3], imm[7]).</summary>
    private static bool PermuteHalves(LiftContext c)
    {
        if (!IsVex(c) || !IsYmm(c, 0)) return false;
        var (a0, a1) = Wide(c, 1);
        var (b0, b1) = Wide(c, 2);
        IrValue[] sources = [a0, a1, b0, b1];
        int imm = c.Insn.Immediate8;
        IrValue Select(int control) => (control & 8) != 0 ? Zero : sources[control & 3];
        Put(c, 0, Select(imm), Select(imm >> 4));
        return true;
    }

    /// <summary>vpermq/vpermpd: quadword i of the result is source quadword imm[2i+1:2i], across the halves.</summary>
    private static bool PermuteQwords(LiftContext c)
    {
        if (!IsVex(c) || !IsYmm(c, 0)) return false;
        var sb = c.Sb;
        var (low, high) = Wide(c, 1);
        int imm = c.Insn.Immediate8;
        IrValue Qword(int i)
        {
            int pick = (imm >> (2 * i)) & 3;
            return Lane(sb, pick < 2 ? low : high, pick & 1, IrType.I64);
        }
        Put(c, 0, FromHalves(sb, Qword(1), Qword(0)), FromHalves(sb, Qword(3), Qword(2)));
        return true;
    }

    /// <summary>
    /// vpermd/vpermps: dword i of the result is dword (index i AND 7) of the second source, indices from the first.
    /// Each half is pshufb of both data halves with byte selectors made from the indices, then a choice by bit 2.
    /// </summary>
    private static bool PermuteDwords(LiftContext c)
    {
        if (!IsVex(c) || !IsYmm(c, 0)) return false;
        var sb = c.Sb;
        var (index0, index1) = Wide(c, 1);
        var (data0, data1) = Wide(c, 2);
        IrValue Half(IrValue indices)
        {
            var selectors = DwordSelectors(sb, sb.Binop(IrOp.And, indices, Splat32(3)));
            var upper = sb.Binop(IrOp.VCmpEQ, IrType.V128, sb.Binop(IrOp.And, indices, Splat32(4)), Splat32(4), IrType.I32);
            return Select(sb, upper, sb.Binop(IrOp.VPermBytes, IrType.V128, data0, selectors, IrType.I8),
                sb.Binop(IrOp.VPermBytes, IrType.V128, data1, selectors, IrType.I8));
        }
        Put(c, 0, Half(index0), Half(index1));
        return true;
    }

    /// <summary>vpermilps: within each half, dword i = dword (control i AND 3); control from imm8 or from the second source's dwords.</summary>
    private static IrValue PermuteInLaneSingles(LiftContext c, int half, IrValue a, IrValue b)
    {
        var sb = c.Sb;
        if (c.IsImmediate(c.Insn.OpCount - 1))
            return sb.Triop(IrOp.VShuffle, IrType.V128, a, a, IrValue.U8(c.Insn.Immediate8), IrType.I32);
        var selectors = DwordSelectors(sb, sb.Binop(IrOp.And, b, Splat32(3)));
        return sb.Binop(IrOp.VPermBytes, IrType.V128, a, selectors, IrType.I8);
    }

    /// <summary>vpermilpd: within each half, qword i = qword (selector bit); imm bits 2h, 2h+1 or bit 1 of the second source's qwords.</summary>
    private static IrValue PermuteInLaneDoubles(LiftContext c, int half, IrValue a, IrValue b)
    {
        var sb = c.Sb;
        if (c.IsImmediate(c.Insn.OpCount - 1))
            return sb.Triop(IrOp.VShuffle, IrType.V128, a, a, IrValue.U8((ulong)((c.Insn.Immediate8 >> (2 * half)) & 3)), IrType.F64);
        // Bit 1 of each qword times 8, copied into each of its bytes, plus the byte's place: pshufb selectors.
        var eight = sb.Binop(IrOp.VShl, IrType.V128, sb.Binop(IrOp.And, b, IrValue.Constant128(IrType.V128, 2, 2)), IrValue.U8(2), IrType.I64);
        var spread = sb.Binop(IrOp.VPermBytes, IrType.V128, eight, IrValue.Constant128(IrType.V128, 0, 0x0808_0808_0808_0808), IrType.I8);
        var selectors = sb.Binop(IrOp.VAdd, IrType.V128, spread, IrValue.Constant128(IrType.V128, 0x0706_0504_0302_0100, 0x0706_0504_0302_0100), IrType.I8);
        return sb.Binop(IrOp.VPermBytes, IrType.V128, a, selectors, IrType.I8);
    }

    /// <summary>pshufb selectors picking, for each dword, the dword its value (0-3) numbers: 4 * index + byte place.</summary>
    private static IrValue DwordSelectors(Superblock sb, IrValue indices)
    {
        var scaled = sb.Binop(IrOp.VMul, IrType.V128, indices, Splat32(0x0404_0404), IrType.I32);
        return sb.Binop(IrOp.VAdd, IrType.V128, scaled, Splat32(0x0302_0100), IrType.I32);
    }

    private static IrValue Splat32(uint value)
    {
        ulong pair = (ulong)value << 32 | value;
        return IrValue.Constant128(IrType.V128, pair, pair);
    }
}
