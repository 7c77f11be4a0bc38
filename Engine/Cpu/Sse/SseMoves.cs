using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Sse;

/// <summary>Data movement between XMM registers, memory and GPRs; MXCSR load/store.</summary>
internal static class SseMoves
{
    public static void Register(LifterTable t)
    {
        foreach (var m in (Mnemonic[])[Mnemonic.Movaps, Mnemonic.Movapd, Mnemonic.Movdqa,
                     Mnemonic.Movntps, Mnemonic.Movntpd, Mnemonic.Movntdq, Mnemonic.Movntdqa])
            t.Add(m, c => Move128(c, aligned: true));
        foreach (var m in (Mnemonic[])[Mnemonic.Movups, Mnemonic.Movupd, Mnemonic.Movdqu, Mnemonic.Lddqu])
            t.Add(m, c => Move128(c, aligned: false));
        t.Add(Mnemonic.Movss, c => MoveScalar(c, IrType.I32));
        t.Add(Mnemonic.Movsd, c => MoveScalar(c, IrType.I64));
        t.Add(Mnemonic.Movd, MoveInt);
        t.Add(Mnemonic.Movq, MoveInt);
        t.Add(Mnemonic.Movnti, c => { c.Write(0, c.Read(1, IrTypes.IntOfBytes(OperandBytes(c, 1)))); return true; });
        t.Add(Mnemonic.Movhps, c => MoveHalf(c, high: true));
        t.Add(Mnemonic.Movhpd, c => MoveHalf(c, high: true));
        t.Add(Mnemonic.Movlps, c => MoveHalf(c, high: false));
        t.Add(Mnemonic.Movlpd, c => MoveHalf(c, high: false));
        t.Add(Mnemonic.Movhlps, c => Halves(c, (sb, d, s) => FromHalves(sb, High64(sb, d), High64(sb, s))));
        t.Add(Mnemonic.Movlhps, c => Halves(c, (sb, d, s) => FromHalves(sb, Low64(sb, s), Low64(sb, d))));
        t.Add(Mnemonic.Movddup, c => Halves(c, (sb, _, s) => FromHalves(sb, Low64(sb, s), Low64(sb, s))));
        t.Add(Mnemonic.Pmovmskb, c => MoveMask(c, IrType.I8));
        t.Add(Mnemonic.Movmskps, c => MoveMask(c, IrType.I32));
        t.Add(Mnemonic.Movmskpd, c => MoveMask(c, IrType.I64));
        t.Add(Mnemonic.Ldmxcsr, LoadMxcsr);
        t.Add(Mnemonic.Stmxcsr, c => { c.Store(c.EffectiveAddress(0), c.Sb.Get(GuestState.OffMxcsr, IrType.I32)); return true; });
    }

    private static bool Move128(LiftContext c, bool aligned)
    {
        if (IsXmm(c, 0) && (IsXmm(c, 1) || c.IsMemory(1)))
        {
            PutDest(c, Source(c, 1, aligned));
            return true;
        }
        if (c.IsMemory(0) && IsXmm(c, 1))
        {
            c.Store(Address(c, 0, aligned), c.GetXmm(XmmIndex(c, 1)));
            return true;
        }
        return false;
    }

    /// <summary>movss/movsd: register to register merges the low lane; a load zeroes the rest.</summary>
    private static bool MoveScalar(LiftContext c, IrType lane)
    {
        if (IsXmm(c, 0) && IsXmm(c, 1))
            PutDest(c, WithLane(c.Sb, Dest(c), 0, Lane(c.Sb, c.GetXmm(XmmIndex(c, 1)), 0, lane)));
        else if (IsXmm(c, 0) && c.IsMemory(1))
            PutDest(c, Source(c, 1));
        else if (c.IsMemory(0) && IsXmm(c, 1))
            c.Store(c.EffectiveAddress(0), Lane(c.Sb, c.GetXmm(XmmIndex(c, 1)), 0, lane));
        else
            return false; // the string instructions movsd/cmpsd share the mnemonic
        return true;
    }

    /// <summary>movd/movq between XMM and GPR/memory/XMM; into XMM zero-extends. MMX forms are not lifted.</summary>
    private static bool MoveInt(LiftContext c)
    {
        if (IsXmm(c, 0))
        {
            var value = IsXmm(c, 1)
                ? Low64(c.Sb, c.GetXmm(XmmIndex(c, 1)))
                : IsGpr(c, 1) || c.IsMemory(1) ? c.Read(1, IrTypes.IntOfBytes(OperandBytes(c, 1))) : IrValue.None;
            if (value.IsNone) return false;
            PutDest(c, FromInt(c.Sb, value));
            return true;
        }
        if (IsXmm(c, 1) && (IsGpr(c, 0) || c.IsMemory(0)))
        {
            var type = IrTypes.IntOfBytes(OperandBytes(c, 0));
            c.Write(0, c.Sb.Unop(IrOp.Truncate, type, c.GetXmm(XmmIndex(c, 1))));
            return true;
        }
        return false;
    }

    /// <summary>movhps/movlps and the pd forms: one 64-bit half between XMM and memory.</summary>
    private static bool MoveHalf(LiftContext c, bool high)
    {
        var sb = c.Sb;
        if (IsXmm(c, 0) && c.IsMemory(1))
        {
            var d = Dest(c);
            var loaded = c.Load(IrType.I64, c.EffectiveAddress(1));
            PutDest(c, high ? FromHalves(sb, loaded, Low64(sb, d)) : FromHalves(sb, High64(sb, d), loaded));
            return true;
        }
        if (c.IsMemory(0) && IsXmm(c, 1))
        {
            var s = c.GetXmm(XmmIndex(c, 1));
            c.Store(c.EffectiveAddress(0), high ? High64(sb, s) : Low64(sb, s));
            return true;
        }
        return false;
    }

    private static bool Halves(LiftContext c, Func<Superblock, IrValue, IrValue, IrValue> combine)
    {
        if (!IsXmm(c, 0)) return false;
        PutDest(c, combine(c.Sb, Dest(c), Source(c, 1)));
        return true;
    }

    private static bool MoveMask(LiftContext c, IrType lane)
    {
        if (!IsXmm(c, 1)) return false;
        WriteInt(c, 0, c.Sb.Unop(IrOp.VMoveMask, IrType.I32, c.GetXmm(XmmIndex(c, 1)), lane));
        return true;
    }

    /// <summary>Setting MXCSR's reserved upper bits raises #GP.</summary>
    private static bool LoadMxcsr(LiftContext c)
    {
        var value = c.Load(IrType.I32, c.EffectiveAddress(0));
        var reserved = c.Sb.Binop(IrOp.And, value, IrValue.U32(0xFFFF0000));
        c.FaultExit(c.Sb.Binop(IrOp.CmpNE, IrType.I1, reserved, IrValue.U32(0)), JumpKind.SigSegv);
        c.Sb.Put(GuestState.OffMxcsr, value);
        return true;
    }
}
