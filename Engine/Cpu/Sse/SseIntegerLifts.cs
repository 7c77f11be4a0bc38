using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Sse;

/// <summary>Packed integer and bitwise SSE2..SSE4.2 instructions, as lane-wise IR vector operations.</summary>
internal static class SseIntegerLifts
{
    /// <summary>dst = op(dst, src) lane-wise; Lane None for whole-register bitwise operations.</summary>
    private static readonly (Mnemonic Mnemonic, IrOp Op, IrType Lane)[] LaneWise =
    [
        (Mnemonic.Paddb, IrOp.VAdd, IrType.I8), (Mnemonic.Paddw, IrOp.VAdd, IrType.I16),
        (Mnemonic.Paddd, IrOp.VAdd, IrType.I32), (Mnemonic.Paddq, IrOp.VAdd, IrType.I64),
        (Mnemonic.Psubb, IrOp.VSub, IrType.I8), (Mnemonic.Psubw, IrOp.VSub, IrType.I16),
        (Mnemonic.Psubd, IrOp.VSub, IrType.I32), (Mnemonic.Psubq, IrOp.VSub, IrType.I64),
        (Mnemonic.Paddsb, IrOp.VAddSatS, IrType.I8), (Mnemonic.Paddsw, IrOp.VAddSatS, IrType.I16),
        (Mnemonic.Paddusb, IrOp.VAddSatU, IrType.I8), (Mnemonic.Paddusw, IrOp.VAddSatU, IrType.I16),
        (Mnemonic.Psubsb, IrOp.VSubSatS, IrType.I8), (Mnemonic.Psubsw, IrOp.VSubSatS, IrType.I16),
        (Mnemonic.Psubusb, IrOp.VSubSatU, IrType.I8), (Mnemonic.Psubusw, IrOp.VSubSatU, IrType.I16),
        (Mnemonic.Pmullw, IrOp.VMul, IrType.I16), (Mnemonic.Pmulld, IrOp.VMul, IrType.I32),
        (Mnemonic.Pmulhw, IrOp.VMulHiS, IrType.I16), (Mnemonic.Pmulhuw, IrOp.VMulHiU, IrType.I16),
        (Mnemonic.Pcmpeqb, IrOp.VCmpEQ, IrType.I8), (Mnemonic.Pcmpeqw, IrOp.VCmpEQ, IrType.I16),
        (Mnemonic.Pcmpeqd, IrOp.VCmpEQ, IrType.I32), (Mnemonic.Pcmpeqq, IrOp.VCmpEQ, IrType.I64),
        (Mnemonic.Pcmpgtb, IrOp.VCmpGTS, IrType.I8), (Mnemonic.Pcmpgtw, IrOp.VCmpGTS, IrType.I16),
        (Mnemonic.Pcmpgtd, IrOp.VCmpGTS, IrType.I32), (Mnemonic.Pcmpgtq, IrOp.VCmpGTS, IrType.I64),
        (Mnemonic.Pminub, IrOp.VMinU, IrType.I8), (Mnemonic.Pminuw, IrOp.VMinU, IrType.I16),
        (Mnemonic.Pminud, IrOp.VMinU, IrType.I32), (Mnemonic.Pminsb, IrOp.VMinS, IrType.I8),
        (Mnemonic.Pminsw, IrOp.VMinS, IrType.I16), (Mnemonic.Pminsd, IrOp.VMinS, IrType.I32),
        (Mnemonic.Pmaxub, IrOp.VMaxU, IrType.I8), (Mnemonic.Pmaxuw, IrOp.VMaxU, IrType.I16),
        (Mnemonic.Pmaxud, IrOp.VMaxU, IrType.I32), (Mnemonic.Pmaxsb, IrOp.VMaxS, IrType.I8),
        (Mnemonic.Pmaxsw, IrOp.VMaxS, IrType.I16), (Mnemonic.Pmaxsd, IrOp.VMaxS, IrType.I32),
        (Mnemonic.Pavgb, IrOp.VAvgU, IrType.I8), (Mnemonic.Pavgw, IrOp.VAvgU, IrType.I16),
        (Mnemonic.Punpcklbw, IrOp.VInterleaveLo, IrType.I8), (Mnemonic.Punpcklwd, IrOp.VInterleaveLo, IrType.I16),
        (Mnemonic.Punpckldq, IrOp.VInterleaveLo, IrType.I32), (Mnemonic.Punpcklqdq, IrOp.VInterleaveLo, IrType.I64),
        (Mnemonic.Punpckhbw, IrOp.VInterleaveHi, IrType.I8), (Mnemonic.Punpckhwd, IrOp.VInterleaveHi, IrType.I16),
        (Mnemonic.Punpckhdq, IrOp.VInterleaveHi, IrType.I32), (Mnemonic.Punpckhqdq, IrOp.VInterleaveHi, IrType.I64),
        (Mnemonic.Unpcklps, IrOp.VInterleaveLo, IrType.I32), (Mnemonic.Unpcklpd, IrOp.VInterleaveLo, IrType.I64),
        (Mnemonic.Unpckhps, IrOp.VInterleaveHi, IrType.I32), (Mnemonic.Unpckhpd, IrOp.VInterleaveHi, IrType.I64),
        (Mnemonic.Packsswb, IrOp.VPackSS, IrType.I16), (Mnemonic.Packssdw, IrOp.VPackSS, IrType.I32),
        (Mnemonic.Packuswb, IrOp.VPackUS, IrType.I16), (Mnemonic.Packusdw, IrOp.VPackUS, IrType.I32),
        (Mnemonic.Pshufb, IrOp.VPermBytes, IrType.I8),
        (Mnemonic.Pand, IrOp.And, IrType.None), (Mnemonic.Andps, IrOp.And, IrType.None), (Mnemonic.Andpd, IrOp.And, IrType.None),
        (Mnemonic.Por, IrOp.Or, IrType.None), (Mnemonic.Orps, IrOp.Or, IrType.None), (Mnemonic.Orpd, IrOp.Or, IrType.None),
        (Mnemonic.Pxor, IrOp.Xor, IrType.None), (Mnemonic.Xorps, IrOp.Xor, IrType.None), (Mnemonic.Xorpd, IrOp.Xor, IrType.None),
    ];

    private static readonly (Mnemonic Mnemonic, IrOp Op, IrType Lane)[] Shifts =
    [
        (Mnemonic.Psllw, IrOp.VShl, IrType.I16), (Mnemonic.Pslld, IrOp.VShl, IrType.I32), (Mnemonic.Psllq, IrOp.VShl, IrType.I64),
        (Mnemonic.Psrlw, IrOp.VShr, IrType.I16), (Mnemonic.Psrld, IrOp.VShr, IrType.I32), (Mnemonic.Psrlq, IrOp.VShr, IrType.I64),
        (Mnemonic.Psraw, IrOp.VSar, IrType.I16), (Mnemonic.Psrad, IrOp.VSar, IrType.I32),
    ];

    /// <summary>pmovzx/pmovsx: (mnemonic, source lane, destination lane, sign-extending).</summary>
    private static readonly (Mnemonic Mnemonic, IrType From, IrType To, bool Signed)[] Extensions =
    [
        (Mnemonic.Pmovzxbw, IrType.I8, IrType.I16, false), (Mnemonic.Pmovzxbd, IrType.I8, IrType.I32, false),
        (Mnemonic.Pmovzxbq, IrType.I8, IrType.I64, false), (Mnemonic.Pmovzxwd, IrType.I16, IrType.I32, false),
        (Mnemonic.Pmovzxwq, IrType.I16, IrType.I64, false), (Mnemonic.Pmovzxdq, IrType.I32, IrType.I64, false),
        (Mnemonic.Pmovsxbw, IrType.I8, IrType.I16, true), (Mnemonic.Pmovsxbd, IrType.I8, IrType.I32, true),
        (Mnemonic.Pmovsxbq, IrType.I8, IrType.I64, true), (Mnemonic.Pmovsxwd, IrType.I16, IrType.I32, true),
        (Mnemonic.Pmovsxwq, IrType.I16, IrType.I64, true), (Mnemonic.Pmovsxdq, IrType.I32, IrType.I64, true),
    ];

    public static void Register(LifterTable t)
    {
        foreach (var (m, op, lane) in LaneWise) t.AddVector(m, (c, _, a, b) => LaneWiseOp(c.Sb, op, lane, a, b));
        foreach (var (m, op, lane) in Shifts) t.Add(m, c => Shift(c, op, lane));
        foreach (var (m, from, to, signed) in Extensions) t.AddVector(m, (c, _, _, s) => Extend(c.Sb, s, from, to, signed));
        // pandn/andnps/andnpd: NOT first AND second; with one register both ways a zeroing idiom.
        foreach (var m in (Mnemonic[])[Mnemonic.Pandn, Mnemonic.Andnps, Mnemonic.Andnpd])
            t.AddVector(m, (c, _, a, b) => a == b ? Zero : c.Sb.Binop(IrOp.And, c.Sb.Unop(IrOp.Not, IrType.V128, a), b));
        t.Add(Mnemonic.Pslldq, c => ByteShift(c, IrOp.VShiftBytesLeft));
        t.Add(Mnemonic.Psrldq, c => ByteShift(c, IrOp.VShiftBytesRight));
        t.AddVector(Mnemonic.Palignr, (c, _, d, s) => Palignr(c.Sb, d, s, c.Insn.Immediate8));
        t.AddVector(Mnemonic.Pshufd, (c, _, _, s) => c.Sb.Triop(IrOp.VShuffle, IrType.V128, s, s, IrValue.U8(c.Insn.Immediate8), IrType.I32));
        t.AddVector(Mnemonic.Pshuflw, (c, _, _, s) => c.Sb.Triop(IrOp.VShuffle, IrType.V128, s, s, IrValue.U16(c.Insn.Immediate8), IrType.I16));
        t.AddVector(Mnemonic.Pshufhw, (c, _, _, s) => c.Sb.Triop(IrOp.VShuffle, IrType.V128, s, s, IrValue.U16(0x100u | c.Insn.Immediate8), IrType.I16));
        t.AddVector(Mnemonic.Pmaddwd, (c, _, d, s) => Pmaddwd(c.Sb, d, s));
        t.AddVector(Mnemonic.Pmuludq, (c, _, d, s) => MulEvenDwords(c.Sb, d, s, signed: false));
        t.AddVector(Mnemonic.Pmuldq, (c, _, d, s) => MulEvenDwords(c.Sb, d, s, signed: true));
        t.AddVector(Mnemonic.Pabsb, (c, _, _, s) => Abs(c.Sb, s, IrType.I8));
        t.AddVector(Mnemonic.Pabsw, (c, _, _, s) => Abs(c.Sb, s, IrType.I16));
        t.AddVector(Mnemonic.Pabsd, (c, _, _, s) => Abs(c.Sb, s, IrType.I32));
        t.AddVector(Mnemonic.Psadbw, (c, _, d, s) => Psadbw(c.Sb, d, s));
        t.AddVector(Mnemonic.Psignb, (c, _, d, s) => Sign(c.Sb, d, s, IrType.I8));
        t.AddVector(Mnemonic.Psignw, (c, _, d, s) => Sign(c.Sb, d, s, IrType.I16));
        t.AddVector(Mnemonic.Psignd, (c, _, d, s) => Sign(c.Sb, d, s, IrType.I32));
        t.AddVector(Mnemonic.Phaddd, (c, _, d, s) => HorizontalDwords(c.Sb, IrOp.VAdd, d, s));
        t.AddVector(Mnemonic.Phsubd, (c, _, d, s) => HorizontalDwords(c.Sb, IrOp.VSub, d, s));
        t.AddVector(Mnemonic.Phaddw, (c, _, d, s) => HorizontalWords(c.Sb, IrOp.VAdd, d, s));
        t.AddVector(Mnemonic.Phsubw, (c, _, d, s) => HorizontalWords(c.Sb, IrOp.VSub, d, s));
        t.AddVector(Mnemonic.Phaddsw, (c, _, d, s) => HorizontalWords(c.Sb, IrOp.VAddSatS, d, s));
        t.AddVector(Mnemonic.Phsubsw, (c, _, d, s) => HorizontalWords(c.Sb, IrOp.VSubSatS, d, s));
        t.AddVector(Mnemonic.Pmaddubsw, (c, _, d, s) => Pmaddubsw(c.Sb, d, s));
        t.AddVector(Mnemonic.Pmulhrsw, (c, _, d, s) => Pmulhrsw(c.Sb, d, s));
        t.AddVector(Mnemonic.Phminposuw, (c, _, _, s) => Phminposuw(c.Sb, s));
        // The 256-bit forms take each lane's controls from their own bits of the immediate (mpsadbw 3, blendps 4, blendpd 2).
        t.AddVector(Mnemonic.Mpsadbw, (c, half, d, s) => Mpsadbw(c.Sb, d, s, c.Insn.Immediate8 >> (3 * half)));
        t.AddVector(Mnemonic.Pblendw, (c, _, d, s) => Select(c.Sb, LaneMask(c.Insn.Immediate8, IrType.I16), d, s));
        t.AddVector(Mnemonic.Blendps, (c, half, d, s) => Select(c.Sb, LaneMask((c.Insn.Immediate8 >> (4 * half)) & 15, IrType.I32), d, s));
        t.AddVector(Mnemonic.Blendpd, (c, half, d, s) => Select(c.Sb, LaneMask((c.Insn.Immediate8 >> (2 * half)) & 3, IrType.I64), d, s));
        t.Add(Mnemonic.Pblendvb, c => VariableBlend(c, IrType.I8));
        t.Add(Mnemonic.Blendvps, c => VariableBlend(c, IrType.I32));
        t.Add(Mnemonic.Blendvpd, c => VariableBlend(c, IrType.I64));
        t.AddBothEncodings(Mnemonic.Ptest, Ptest);
        t.AddBothEncodings(Mnemonic.Pextrb, c => Extract(c, IrType.I8));
        t.AddBothEncodings(Mnemonic.Pextrw, c => Extract(c, IrType.I16));
        t.AddBothEncodings(Mnemonic.Pextrd, c => Extract(c, IrType.I32));
        t.AddBothEncodings(Mnemonic.Pextrq, c => Extract(c, IrType.I64));
        t.AddBothEncodings(Mnemonic.Extractps, c => Extract(c, IrType.I32));
        t.AddBothEncodings(Mnemonic.Pinsrb, c => Insert(c, IrType.I8));
        t.AddBothEncodings(Mnemonic.Pinsrw, c => Insert(c, IrType.I16));
        t.AddBothEncodings(Mnemonic.Pinsrd, c => Insert(c, IrType.I32));
        t.AddBothEncodings(Mnemonic.Pinsrq, c => Insert(c, IrType.I64));
        t.AddBothEncodings(Mnemonic.Insertps, Insertps);
    }

    /// <summary>
    /// Zeroing (and all-ones) idioms such as pxor x,x: the result does not depend on the register,
    /// so it is lifted as a constant and memcheck sees defined bits, as VEX does.
    /// </summary>
    private static IrValue LaneWiseOp(Superblock sb, IrOp op, IrType lane, IrValue a, IrValue b) =>
        a == b && SameRegisterResult(op) is { } constant ? constant : Binary(sb, op, a, b, lane);

    private static IrValue? SameRegisterResult(IrOp op) => op switch
    {
        IrOp.Xor or IrOp.VSub or IrOp.VSubSatU or IrOp.VSubSatS or IrOp.VCmpGTS => Zero,
        IrOp.VCmpEQ => IrValue.Constant128(IrType.V128, ulong.MaxValue, ulong.MaxValue),
        _ => null,
    };

    /// <summary>Shift by an immediate or by the low 64 bits of an XMM/m128 count, clamped so huge counts still give 0.</summary>
    private static bool Shift(LiftContext c, IrOp op, IrType lane)
    {
        if (!IsXmm(c, 0)) return false;
        var count = c.Insn.GetOpKind(1) == OpKind.Immediate8 ? IrValue.U8(c.Insn.Immediate8) : ShiftCount(c.Sb, Source(c, 1));
        PutDest(c, c.Sb.Binop(op, IrType.V128, Dest(c), count, lane));
        return true;
    }

    /// <summary>The low 64 bits of a count vector as an I8, 255 for anything larger (every lane then shifts out).</summary>
    internal static IrValue ShiftCount(Superblock sb, IrValue countVector)
    {
        var n = Low64(sb, countVector);
        var small = sb.Binop(IrOp.CmpLTU, IrType.I1, n, IrValue.U64(255));
        return sb.Ite(small, sb.Unop(IrOp.Truncate, IrType.I8, n), IrValue.U8(255));
    }

    private static bool ByteShift(LiftContext c, IrOp op)
    {
        if (!IsXmm(c, 0)) return false;
        int n = c.Insn.Immediate8;
        PutDest(c, n > 15 ? Zero : c.Sb.Binop(op, IrType.V128, Dest(c), IrValue.U8((ulong)n)));
        return true;
    }

    /// <summary>palignr: bytes imm.. of the 32-byte concatenation d:s.</summary>
    internal static IrValue Palignr(Superblock sb, IrValue d, IrValue s, int n)
    {
        if (n == 0) return s;
        if (n < 16)
            return sb.Binop(IrOp.Or, sb.Binop(IrOp.VShiftBytesRight, IrType.V128, s, IrValue.U8((ulong)n)),
                sb.Binop(IrOp.VShiftBytesLeft, IrType.V128, d, IrValue.U8((ulong)(16 - n))));
        if (n == 16) return d;
        return n < 32 ? sb.Binop(IrOp.VShiftBytesRight, IrType.V128, d, IrValue.U8((ulong)(n - 16))) : Zero;
    }

    /// <summary>pmaddwd: signed word products, adjacent pairs summed into dwords.</summary>
    private static IrValue Pmaddwd(Superblock sb, IrValue d, IrValue s)
    {
        var lo = Binary(sb, IrOp.VMul, d, s, IrType.I16);
        var hi = Binary(sb, IrOp.VMulHiS, d, s, IrType.I16);
        var p0123 = Binary(sb, IrOp.VInterleaveLo, lo, hi, IrType.I16);
        var p4567 = Binary(sb, IrOp.VInterleaveHi, lo, hi, IrType.I16);
        // shufps-style selection (F32 lanes) takes two lanes from each operand; only bits move.
        var even = sb.Triop(IrOp.VShuffle, IrType.V128, p0123, p4567, IrValue.U8(0b10_00_10_00), IrType.F32);
        var odd = sb.Triop(IrOp.VShuffle, IrType.V128, p0123, p4567, IrValue.U8(0b11_01_11_01), IrType.F32);
        return Binary(sb, IrOp.VAdd, even, odd, IrType.I32);
    }

    /// <summary>pmuludq/pmuldq: 64-bit products of dwords 0 and 2, from each qword's low half widened.</summary>
    private static IrValue MulEvenDwords(Superblock sb, IrValue d, IrValue s, bool signed)
    {
        IrValue Widen(IrValue v) => signed
            ? sb.Binop(IrOp.VSar, IrType.V128, sb.Binop(IrOp.VShl, IrType.V128, v, IrValue.U8(32), IrType.I64), IrValue.U8(32), IrType.I64)
            : sb.Binop(IrOp.And, v, IrValue.Constant128(IrType.V128, 0xFFFF_FFFF, 0xFFFF_FFFF));
        return Binary(sb, IrOp.VMul, Widen(d), Widen(s), IrType.I64);
    }

    /// <summary>max(x, -x) is |x|, and gives the unsigned bit pattern 0x80.. for the most negative lane as pabs does.</summary>
    private static IrValue Abs(Superblock sb, IrValue s, IrType lane) =>
        Binary(sb, IrOp.VMaxS, s, Binary(sb, IrOp.VSub, Zero, s, lane), lane);

    /// <summary>psadbw: |d - s| per byte, then each qword's eight bytes summed by halving lane widths.</summary>
    private static IrValue Psadbw(Superblock sb, IrValue d, IrValue s)
    {
        var sum = sb.Binop(IrOp.Or, Binary(sb, IrOp.VSubSatU, d, s, IrType.I8), Binary(sb, IrOp.VSubSatU, s, d, IrType.I8));
        foreach (var (lane, lowHalves) in (ReadOnlySpan<(IrType, ulong)>)
                 [(IrType.I16, 0x00FF_00FF_00FF_00FFUL), (IrType.I32, 0x0000_FFFF_0000_FFFFUL), (IrType.I64, 0x0000_0000_FFFF_FFFFUL)])
        {
            var low = sb.Binop(IrOp.And, sum, IrValue.Constant128(IrType.V128, lowHalves, lowHalves));
            var high = sb.Binop(IrOp.VShr, IrType.V128, sum, IrValue.U8((ulong)lane.Bits() / 2), lane);
            sum = Binary(sb, IrOp.VAdd, low, high, lane);
        }
        return sum;
    }

    /// <summary>psign: d negated where s is negative, zeroed where s is zero.</summary>
    private static IrValue Sign(Superblock sb, IrValue d, IrValue s, IrType lane)
    {
        var negative = Binary(sb, IrOp.VCmpGTS, Zero, s, lane);
        var zero = Binary(sb, IrOp.VCmpEQ, s, Zero, lane);
        var signed = Select(sb, negative, d, Binary(sb, IrOp.VSub, Zero, d, lane));
        return sb.Binop(IrOp.And, signed, sb.Unop(IrOp.Not, IrType.V128, zero));
    }

    /// <summary>phaddd/phsubd: even dword op odd dword, d's pairs low, s's pairs high (shufps-style selection).</summary>
    private static IrValue HorizontalDwords(Superblock sb, IrOp op, IrValue d, IrValue s)
    {
        var even = sb.Triop(IrOp.VShuffle, IrType.V128, d, s, IrValue.U8(0b10_00_10_00), IrType.F32);
        var odd = sb.Triop(IrOp.VShuffle, IrType.V128, d, s, IrValue.U8(0b11_01_11_01), IrType.F32);
        return Binary(sb, op, even, odd, IrType.I32);
    }

    /// <summary>phaddw and kin: even word op odd word, d's pairs low, s's pairs high.</summary>
    private static IrValue HorizontalWords(Superblock sb, IrOp op, IrValue d, IrValue s)
    {
        // Each dword's low (high) word, sign-extended, packs back exactly with signed saturation.
        var even = Binary(sb, IrOp.VPackSS, LowWordsWidened(sb, d), LowWordsWidened(sb, s), IrType.I32);
        var odd = Binary(sb, IrOp.VPackSS, Sar(sb, d, 16, IrType.I32), Sar(sb, s, 16, IrType.I32), IrType.I32);
        return Binary(sb, op, even, odd, IrType.I16);
    }

    /// <summary>pmaddubsw: unsigned bytes of d times signed bytes of s, adjacent products added with signed saturation.</summary>
    private static IrValue Pmaddubsw(Superblock sb, IrValue d, IrValue s)
    {
        var dEven = sb.Binop(IrOp.And, d, IrValue.Constant128(IrType.V128, 0x00FF_00FF_00FF_00FF, 0x00FF_00FF_00FF_00FF));
        var dOdd = sb.Binop(IrOp.VShr, IrType.V128, d, IrValue.U8(8), IrType.I16);
        var sEven = Sar(sb, sb.Binop(IrOp.VShl, IrType.V128, s, IrValue.U8(8), IrType.I16), 8, IrType.I16);
        var sOdd = Sar(sb, s, 8, IrType.I16);
        // 255 * -128 .. 255 * 127 fits a signed word, so only the sum saturates.
        return Binary(sb, IrOp.VAddSatS, Binary(sb, IrOp.VMul, dEven, sEven, IrType.I16), Binary(sb, IrOp.VMul, dOdd, sOdd, IrType.I16), IrType.I16);
    }

    /// <summary>pmulhrsw: bits 30:15 of each signed word product rounded (+0x4000), truncated to a word.</summary>
    private static IrValue Pmulhrsw(Superblock sb, IrValue d, IrValue s)
    {
        var lo = Binary(sb, IrOp.VMul, d, s, IrType.I16);
        var hi = Binary(sb, IrOp.VMulHiS, d, s, IrType.I16);
        var round = IrValue.Constant128(IrType.V128, 0x0000_4000_0000_4000, 0x0000_4000_0000_4000);
        IrValue Scaled(IrOp interleave) =>
            LowWordsWidened(sb, Sar(sb, Binary(sb, IrOp.VAdd, Binary(sb, interleave, lo, hi, IrType.I16), round, IrType.I32), 15, IrType.I32));
        return Binary(sb, IrOp.VPackSS, Scaled(IrOp.VInterleaveLo), Scaled(IrOp.VInterleaveHi), IrType.I32);
    }

    /// <summary>
    /// phminposuw: the least unsigned word in word 0, its (lowest) index in word 1, zero elsewhere.
    /// Keys word &lt;&lt; 16 | index make one unsigned dword minimum find both.
    /// </summary>
    private static IrValue Phminposuw(Superblock sb, IrValue s)
    {
        IrValue Keys(IrOp interleave, ulong indexLo, ulong indexHi) => sb.Binop(IrOp.Or,
            sb.Binop(IrOp.VShl, IrType.V128, Binary(sb, interleave, s, Zero, IrType.I16), IrValue.U8(16), IrType.I32),
            IrValue.Constant128(IrType.V128, indexLo, indexHi));
        var min = Binary(sb, IrOp.VMinU, Keys(IrOp.VInterleaveLo, 0x1_0000_0000, 0x3_0000_0002), Keys(IrOp.VInterleaveHi, 0x5_0000_0004, 0x7_0000_0006), IrType.I32);
        foreach (int swap in (ReadOnlySpan<int>)[0b01_00_11_10, 0b10_11_00_01])
            min = Binary(sb, IrOp.VMinU, min, sb.Triop(IrOp.VShuffle, IrType.V128, min, min, IrValue.U8((ulong)swap), IrType.I32), IrType.I32);
        var key = Lane(sb, min, 0, IrType.I32);
        return FromInt(sb, sb.Binop(IrOp.Ror, IrType.I32, key, IrValue.U8(16)));
    }

    /// <summary>
    /// mpsadbw: word i = sum over k &lt; 4 of |d[dOff + i + k] - s[sOff + k]|, dOff = imm[2] * 4, sOff = imm[1:0] * 4.
    /// </summary>
    private static IrValue Mpsadbw(Superblock sb, IrValue d, IrValue s, int imm)
    {
        int dOff = (imm >> 2 & 1) * 4, sOff = (imm & 3) * 4;
        var sum = Zero;
        for (int k = 0; k < 4; k++)
        {
            var window = Binary(sb, IrOp.VInterleaveLo, sb.Binop(IrOp.VShiftBytesRight, IrType.V128, d, IrValue.U8((ulong)(dOff + k))), Zero, IrType.I8);
            var reference = sb.Unop(IrOp.VSplat, IrType.V128, sb.Unop(IrOp.ZeroExtend, IrType.I16, Lane(sb, s, sOff + k, IrType.I8)), IrType.I16);
            var diff = sb.Binop(IrOp.Or, Binary(sb, IrOp.VSubSatU, window, reference, IrType.I16), Binary(sb, IrOp.VSubSatU, reference, window, IrType.I16));
            sum = Binary(sb, IrOp.VAdd, sum, diff, IrType.I16);
        }
        return sum;
    }

    /// <summary>Each dword's low word, sign-extended to the dword.</summary>
    private static IrValue LowWordsWidened(Superblock sb, IrValue v) =>
        Sar(sb, sb.Binop(IrOp.VShl, IrType.V128, v, IrValue.U8(16), IrType.I32), 16, IrType.I32);

    private static IrValue Sar(Superblock sb, IrValue v, int count, IrType lane) =>
        sb.Binop(IrOp.VSar, IrType.V128, v, IrValue.U8((ulong)count), lane);

    /// <summary>pmovzx/pmovsx: interleave with zeros (or with itself, then shift arithmetically) until the lanes are wide enough.</summary>
    internal static IrValue Extend(Superblock sb, IrValue s, IrType from, IrType to, bool signed)
    {
        var v = s;
        for (var lane = from; lane != to; lane = Wider(lane))
            v = Binary(sb, IrOp.VInterleaveLo, v, signed ? v : Zero, lane);
        if (signed)
            v = sb.Binop(IrOp.VSar, IrType.V128, v, IrValue.U8((ulong)(to.Bits() - from.Bits())), to);
        return v;
    }

    private static IrType Wider(IrType lane) => IrTypes.IntOfBytes(lane.Bytes() * 2);

    /// <summary>pblendvb/blendvps/blendvpd: implicit XMM0's lane sign bits pick the source.</summary>
    private static bool VariableBlend(LiftContext c, IrType lane) => LaneWise(c, (_, _, d, s) => BlendBySign(c.Sb, d, s, c.GetXmm(0), lane));

    /// <summary>Lanes of <paramref name="s"/> where <paramref name="selector"/>'s lane is negative, else of <paramref name="d"/>.</summary>
    internal static IrValue BlendBySign(Superblock sb, IrValue d, IrValue s, IrValue selector, IrType lane) =>
        Select(sb, Binary(sb, IrOp.VCmpGTS, Zero, selector, lane), d, s);

    /// <summary>ptest: ZF = (dst AND src) == 0, CF = (NOT dst AND src) == 0, other flags clear.</summary>
    private static bool Ptest(LiftContext c)
    {
        if (!IsXmm(c, 0)) return false;
        var sb = c.Sb;
        var d = Dest(c);
        var s = Source(c, 1);
        var zf = IsAllZero(sb, sb.Binop(IrOp.And, d, s));
        var cf = IsAllZero(sb, sb.Binop(IrOp.And, sb.Unop(IrOp.Not, IrType.V128, d), s));
        c.SetFlagsFromRflags(sb.Binop(IrOp.Or, FlagBit(sb, zf, 6), FlagBit(sb, cf, 0)));
        return true;
    }

    /// <summary>pextr*/extractps: lane imm of the XMM source to a GPR (zero-extended) or to memory.</summary>
    private static bool Extract(LiftContext c, IrType lane)
    {
        if (!IsXmm(c, 1)) return false;
        int lanes = 16 / lane.Bytes();
        WriteInt(c, 0, Lane(c.Sb, c.GetXmm(XmmIndex(c, 1)), c.Insn.Immediate8 & (lanes - 1), lane));
        return true;
    }

    /// <summary>pinsr*: a GPR or memory value into lane imm of the first source.</summary>
    private static bool Insert(LiftContext c, IrType lane)
    {
        if (!IsXmm(c, 0)) return false;
        int lanes = 16 / lane.Bytes();
        int source = SecondSourceOperand(c);
        var value = c.Read(source, IrTypes.IntOfBytes(OperandBytes(c, source)));
        if (value.Type != lane) value = c.Sb.Unop(IrOp.Truncate, lane, value);
        PutDest(c, WithLane(c.Sb, FirstSource(c), c.Insn.Immediate8 & (lanes - 1), value));
        return true;
    }

    /// <summary>insertps: a dword (lane imm[7:6] of a register, or m32) into lane imm[5:4], then lanes in imm[3:0] zeroed.</summary>
    private static bool Insertps(LiftContext c)
    {
        if (!IsXmm(c, 0)) return false;
        var sb = c.Sb;
        int imm = c.Insn.Immediate8, source = SecondSourceOperand(c);
        var value = Lane(sb, Source(c, source), IsXmm(c, source) ? (imm >> 6) & 3 : 0, IrType.I32);
        var inserted = WithLane(sb, FirstSource(c), (imm >> 4) & 3, value);
        PutDest(c, (imm & 15) == 0 ? inserted
            : sb.Binop(IrOp.And, inserted, LaneMask(~imm & 15, IrType.I32)));
        return true;
    }
}
