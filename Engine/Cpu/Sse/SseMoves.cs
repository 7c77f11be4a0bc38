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
        t.AddBothEncodings(Mnemonic.Movd, MoveInt);
        t.AddBothEncodings(Mnemonic.Movq, MoveInt);
        t.Add(Mnemonic.Movnti, c => { c.Write(0, c.Read(1, IrTypes.IntOfBytes(OperandBytes(c, 1)))); return true; });
        t.AddBothEncodings(Mnemonic.Movhps, c => MoveHalf(c, high: true));
        t.AddBothEncodings(Mnemonic.Movhpd, c => MoveHalf(c, high: true));
        t.AddBothEncodings(Mnemonic.Movlps, c => MoveHalf(c, high: false));
        t.AddBothEncodings(Mnemonic.Movlpd, c => MoveHalf(c, high: false));
        t.AddVector(Mnemonic.Movhlps, (c, _, d, s) => FromHalves(c.Sb, High64(c.Sb, d), High64(c.Sb, s)));
        t.AddVector(Mnemonic.Movlhps, (c, _, d, s) => FromHalves(c.Sb, Low64(c.Sb, s), Low64(c.Sb, d)));
        t.AddVector(Mnemonic.Movddup, (c, _, _, s) => FromHalves(c.Sb, Low64(c.Sb, s), Low64(c.Sb, s)));
        t.AddBothEncodings(Mnemonic.Pmovmskb, c => MoveMask(c, IrType.I8));
        t.AddBothEncodings(Mnemonic.Movmskps, c => MoveMask(c, IrType.I32));
        t.AddBothEncodings(Mnemonic.Movmskpd, c => MoveMask(c, IrType.I64));
        t.AddBothEncodings(Mnemonic.Ldmxcsr, LoadMxcsr);
        t.AddBothEncodings(Mnemonic.Stmxcsr, c => { c.Store(c.EffectiveAddress(0), c.Sb.Get(GuestState.OffMxcsr, IrType.I32)); return true; });
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

    /// <summary>movhps/movlps and the pd forms: one 64-bit half between XMM and memory; a load replaces that half of the first source.</summary>
    private static bool MoveHalf(LiftContext c, bool high)
    {
        var sb = c.Sb;
        int source = SecondSourceOperand(c);
        if (IsXmm(c, 0) && c.IsMemory(source))
        {
            var first = FirstSource(c);
            var loaded = c.Load(IrType.I64, c.EffectiveAddress(source));
            PutDest(c, high ? FromHalves(sb, loaded, Low64(sb, first)) : FromHalves(sb, High64(sb, first), loaded));
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
