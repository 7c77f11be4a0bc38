using Iced.Intel;
using Memcheck.Engine.Cpu.Sse;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Avx.VexOperands;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Avx;

/// <summary>
/// The 256-bit forms whose source and destination differ in width: widening extensions and conversions from an
/// XMM source to a YMM result, and narrowing conversions from a YMM source to an XMM result. Their 128-bit forms
/// are the SSE lane functions.
/// </summary>
internal static class AvxWidthChanges
{
    /// <summary>vpmovzx/vpmovsx: (mnemonic, source lane, destination lane, sign-extending).</summary>
    private static readonly (Mnemonic Mnemonic, IrType From, IrType To, bool Signed)[] Extensions =
    [
        (Mnemonic.Vpmovzxbw, IrType.I8, IrType.I16, false), (Mnemonic.Vpmovzxbd, IrType.I8, IrType.I32, false),
        (Mnemonic.Vpmovzxbq, IrType.I8, IrType.I64, false), (Mnemonic.Vpmovzxwd, IrType.I16, IrType.I32, false),
        (Mnemonic.Vpmovzxwq, IrType.I16, IrType.I64, false), (Mnemonic.Vpmovzxdq, IrType.I32, IrType.I64, false),
        (Mnemonic.Vpmovsxbw, IrType.I8, IrType.I16, true), (Mnemonic.Vpmovsxbd, IrType.I8, IrType.I32, true),
        (Mnemonic.Vpmovsxbq, IrType.I8, IrType.I64, true), (Mnemonic.Vpmovsxwd, IrType.I16, IrType.I32, true),
        (Mnemonic.Vpmovsxwq, IrType.I16, IrType.I64, true), (Mnemonic.Vpmovsxdq, IrType.I32, IrType.I64, true),
    ];

    /// <summary>Conversions from two lanes of 32 bits to two of 64 (dq2pd, ps2pd), and back (pd2ps, pd2dq, tpd2dq).</summary>
    private static readonly (Mnemonic Mnemonic, IrOp Op, IrType From, IrType To)[] Conversions =
    [
        (Mnemonic.Vcvtdq2pd, IrOp.SIntToF, IrType.I32, IrType.F64),
        (Mnemonic.Vcvtps2pd, IrOp.FConvert, IrType.F32, IrType.F64),
        (Mnemonic.Vcvtpd2ps, IrOp.FConvert, IrType.F64, IrType.F32),
        (Mnemonic.Vcvtpd2dq, IrOp.FToSIntRound, IrType.F64, IrType.I32),
        (Mnemonic.Vcvttpd2dq, IrOp.FToSIntTrunc, IrType.F64, IrType.I32),
    ];

    public static void Register(LifterTable t)
    {
        foreach (var (m, from, to, signed) in Extensions) t.Add(m, c => Extend(c, from, to, signed));
        foreach (var (m, op, from, to) in Conversions)
            t.Add(m, c => from.Bits() < to.Bits() ? Widen(c, op, from, to) : Narrow(c, op, from, to));
    }

    /// <summary>YMM = extended elements of an XMM register or memory: the high half continues where the low one ends.</summary>
    private static bool Extend(LiftContext c, IrType from, IrType to, bool signed)
    {
        if (!IsVex(c) || !IsYmm(c, 0)) return false;
        var sb = c.Sb;
        var source = Low(c, 1);
        int consumed = 16 / to.Bytes() * from.Bytes();
        var rest = sb.Binop(IrOp.VShiftBytesRight, IrType.V128, source, IrValue.U8((ulong)consumed));
        Put(c, 0, SseIntegerLifts.Extend(sb, source, from, to, signed), SseIntegerLifts.Extend(sb, rest, from, to, signed));
        return true;
    }

    /// <summary>YMM = four converted lanes of an XMM register or m128: lanes 0-1 to the low half, 2-3 to the high.</summary>
    private static bool Widen(LiftContext c, IrOp op, IrType from, IrType to)
    {
        if (!IsVex(c) || !IsYmm(c, 0)) return false;
        var sb = c.Sb;
        var source = Low(c, 1);
        var rest = sb.Binop(IrOp.VShiftBytesRight, IrType.V128, source, IrValue.U8(8));
        Put(c, 0, SseFloatLifts.ConvertLanes(sb, source, op, from, to, 2), SseFloatLifts.ConvertLanes(sb, rest, op, from, to, 2));
        return true;
    }

    /// <summary>XMM = four converted lanes of a YMM register or m256: the low half's two, then the high half's two.</summary>
    private static bool Narrow(LiftContext c, IrOp op, IrType from, IrType to)
    {
        if (!IsVex(c) || !IsXmm(c, 0) || Bytes(c, 1) != 32) return false;
        var sb = c.Sb;
        var (low, high) = Wide(c, 1);
        var upper = sb.Binop(IrOp.VShiftBytesLeft, IrType.V128, SseFloatLifts.ConvertLanes(sb, high, op, from, to, 2), IrValue.U8(8));
        PutDest(c, sb.Binop(IrOp.Or, SseFloatLifts.ConvertLanes(sb, low, op, from, to, 2), upper));
        return true;
    }
}
