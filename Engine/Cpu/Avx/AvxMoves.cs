using Iced.Intel;
using Memcheck.Engine.Cpu.Sse;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Avx.VexOperands;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Avx;

/// <summary>VEX moves whose form differs from the legacy one: whole registers of both widths, scalars, masks, zeroing.</summary>
internal static class AvxMoves
{
    public static void Register(LifterTable t)
    {
        foreach (var m in (Mnemonic[])[Mnemonic.Vmovaps, Mnemonic.Vmovapd, Mnemonic.Vmovdqa,
                     Mnemonic.Vmovntps, Mnemonic.Vmovntpd, Mnemonic.Vmovntdq, Mnemonic.Vmovntdqa])
            t.Add(m, c => Move(c, aligned: true));
        foreach (var m in (Mnemonic[])[Mnemonic.Vmovups, Mnemonic.Vmovupd, Mnemonic.Vmovdqu, Mnemonic.Vlddqu])
            t.Add(m, c => Move(c, aligned: false));
        t.Add(Mnemonic.Vmovss, c => MoveScalar(c, IrType.I32));
        t.Add(Mnemonic.Vmovsd, c => MoveScalar(c, IrType.I64));
        t.Add(Mnemonic.Vpmovmskb, c => MoveMask(c, IrType.I8));
        t.Add(Mnemonic.Vmovmskps, c => MoveMask(c, IrType.I32));
        t.Add(Mnemonic.Vmovmskpd, c => MoveMask(c, IrType.I64));
        t.Add(Mnemonic.Vzeroupper, c => ZeroRegisters(c, upperOnly: true));
        t.Add(Mnemonic.Vzeroall, c => ZeroRegisters(c, upperOnly: false));
    }

    /// <summary>Whole-register moves; the aligned ones fault (#GP) on memory not aligned to the operand's size.</summary>
    private static bool Move(LiftContext c, bool aligned)
    {
        if (!IsVex(c)) return false;
        if (IsVectorRegister(c, 0) && (IsVectorRegister(c, 1) || c.IsMemory(1)))
        {
            if (aligned && c.IsMemory(1)) FaultUnlessAligned(c, c.EffectiveAddress(1), Bytes(c, 1));
            var value = Halves(c, 1, Bytes(c, 0) / 16);
            Put(c, 0, value[0], value[^1]);
            return true;
        }
        if (c.IsMemory(0) && IsVectorRegister(c, 1))
        {
            var addr = c.EffectiveAddress(0);
            if (aligned) FaultUnlessAligned(c, addr, Bytes(c, 0));
            var value = Halves(c, 1, Bytes(c, 1) / 16);
            if (value.Length == 2) StoreWide(c, addr, value[0], value[1]);
            else c.Store(addr, value[0]);
            return true;
        }
        return false;
    }

    /// <summary>
    /// vmovss/vmovsd: a load zeroes the rest of the register, a store writes lane 0, and the three-register form
    /// merges lane 0 of the second source into the first.
    /// </summary>
    private static bool MoveScalar(LiftContext c, IrType lane)
    {
        if (!IsVex(c)) return false;
        var sb = c.Sb;
        if (IsXmm(c, 0) && c.IsMemory(1))
            PutDest(c, FromInt(sb, c.Load(lane, c.EffectiveAddress(1))));
        else if (c.IsMemory(0) && IsXmm(c, 1))
            c.Store(c.EffectiveAddress(0), Lane(sb, c.GetXmm(XmmIndex(c, 1)), 0, lane));
        else if (OperandCount(c) == 3)
            PutDest(c, WithLane(sb, c.GetXmm(XmmIndex(c, 1)), 0, Lane(sb, c.GetXmm(XmmIndex(c, 2)), 0, lane)));
        else
            return false;
        return true;
    }

    /// <summary>vpmovmskb/vmovmskps/vmovmskpd of a YMM register: the high half's bits above the low half's.</summary>
    private static bool MoveMask(LiftContext c, IrType lane)
    {
        if (!IsVex(c) || !IsYmm(c, 1)) return false;
        var sb = c.Sb;
        var (low, high) = Wide(c, 1);
        var lowBits = sb.Unop(IrOp.VMoveMask, IrType.I32, low, lane);
        var highBits = sb.Unop(IrOp.VMoveMask, IrType.I32, high, lane);
        int shift = 128 / lane.Bits();
        WriteInt(c, 0, sb.Binop(IrOp.Or, lowBits, sb.Binop(IrOp.Shl, highBits, IrValue.U8((ulong)shift))));
        return true;
    }

    /// <summary>vzeroupper clears bits 255:128 of every YMM register, vzeroall the registers whole.</summary>
    private static bool ZeroRegisters(LiftContext c, bool upperOnly)
    {
        if (!IsVex(c)) return false;
        for (int i = 0; i < 16; i++)
        {
            if (upperOnly) c.Sb.Put(GuestState.YmmHiOffset(i), SseOperands.Zero);
            else c.PutYmm(i, SseOperands.Zero, SseOperands.Zero);
        }
        return true;
    }
}
