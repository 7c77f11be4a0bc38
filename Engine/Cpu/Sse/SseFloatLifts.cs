using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Sse;

/// <summary>
/// SSE/SSE2/SSE3/SSE4.1 floating point: packed and scalar arithmetic, compares, conversions, shuffles,
/// rounding. Float-to-integer conversions and round* honour MXCSR.RC; arithmetic and the other
/// conversions round to nearest (the IR's float operations do not read MXCSR).
/// </summary>
internal static class SseFloatLifts
{
    private static readonly (Mnemonic Mnemonic, IrOp Op, IrType Lane)[] Packed =
    [
        (Mnemonic.Addps, IrOp.VFAdd, IrType.F32), (Mnemonic.Addpd, IrOp.VFAdd, IrType.F64),
        (Mnemonic.Subps, IrOp.VFSub, IrType.F32), (Mnemonic.Subpd, IrOp.VFSub, IrType.F64),
        (Mnemonic.Mulps, IrOp.VFMul, IrType.F32), (Mnemonic.Mulpd, IrOp.VFMul, IrType.F64),
        (Mnemonic.Divps, IrOp.VFDiv, IrType.F32), (Mnemonic.Divpd, IrOp.VFDiv, IrType.F64),
        (Mnemonic.Minps, IrOp.VFMin, IrType.F32), (Mnemonic.Minpd, IrOp.VFMin, IrType.F64),
        (Mnemonic.Maxps, IrOp.VFMax, IrType.F32), (Mnemonic.Maxpd, IrOp.VFMax, IrType.F64),
    ];

    private static readonly (Mnemonic Mnemonic, IrOp Op, IrType Type)[] Scalar =
    [
        (Mnemonic.Addss, IrOp.FAdd, IrType.F32), (Mnemonic.Addsd, IrOp.FAdd, IrType.F64),
        (Mnemonic.Subss, IrOp.FSub, IrType.F32), (Mnemonic.Subsd, IrOp.FSub, IrType.F64),
        (Mnemonic.Mulss, IrOp.FMul, IrType.F32), (Mnemonic.Mulsd, IrOp.FMul, IrType.F64),
        (Mnemonic.Divss, IrOp.FDiv, IrType.F32), (Mnemonic.Divsd, IrOp.FDiv, IrType.F64),
        (Mnemonic.Minss, IrOp.FMin, IrType.F32), (Mnemonic.Minsd, IrOp.FMin, IrType.F64),
        (Mnemonic.Maxss, IrOp.FMax, IrType.F32), (Mnemonic.Maxsd, IrOp.FMax, IrType.F64),
    ];

    /// <summary>Packed conversions: (mnemonic, op, source lane, destination lane, lane count); unwritten lanes become zero.</summary>
    private static readonly (Mnemonic Mnemonic, IrOp Op, IrType From, IrType To, int Count)[] PackedConversions =
    [
        (Mnemonic.Cvtdq2pd, IrOp.SIntToF, IrType.I32, IrType.F64, 2),
        (Mnemonic.Cvtdq2ps, IrOp.SIntToF, IrType.I32, IrType.F32, 4),
        (Mnemonic.Cvtps2pd, IrOp.FConvert, IrType.F32, IrType.F64, 2),
        (Mnemonic.Cvtpd2ps, IrOp.FConvert, IrType.F64, IrType.F32, 2),
        (Mnemonic.Cvttps2dq, IrOp.FToSIntTrunc, IrType.F32, IrType.I32, 4),
        (Mnemonic.Cvtps2dq, IrOp.FToSIntRound, IrType.F32, IrType.I32, 4),
        (Mnemonic.Cvttpd2dq, IrOp.FToSIntTrunc, IrType.F64, IrType.I32, 2),
        (Mnemonic.Cvtpd2dq, IrOp.FToSIntRound, IrType.F64, IrType.I32, 2),
    ];

    public static void Register(LifterTable t)
    {
        foreach (var (m, op, lane) in Packed)
            t.AddVector(m, (c, _, d, s) => Binary(c.Sb, op, d, s, lane));
        foreach (var (m, op, type) in Scalar)
            t.AddVector(m, (c, _, d, s) => ScalarOp(c.Sb, type, d, s, (sb, a, b) => sb.Binop(op, type, a, b)));
        foreach (var (m, op, from, to, count) in PackedConversions)
            t.AddVector(m, (c, _, _, s) => ConvertLanes(c.Sb, s, op, from, to, count));
        t.AddVector(Mnemonic.Sqrtss, (c, _, d, s) => ScalarOp(c.Sb, IrType.F32, d, s, (sb, _, b) => sb.Unop(IrOp.FSqrt, IrType.F32, b)));
        t.AddVector(Mnemonic.Sqrtsd, (c, _, d, s) => ScalarOp(c.Sb, IrType.F64, d, s, (sb, _, b) => sb.Unop(IrOp.FSqrt, IrType.F64, b)));
        t.AddVector(Mnemonic.Sqrtps, (c, _, _, s) => ConvertLanes(c.Sb, s, IrOp.FSqrt, IrType.F32, IrType.F32, 4));
        t.AddVector(Mnemonic.Sqrtpd, (c, _, _, s) => ConvertLanes(c.Sb, s, IrOp.FSqrt, IrType.F64, IrType.F64, 2));
        t.AddVector(Mnemonic.Cvtss2sd, (c, _, d, s) => ScalarOp(c.Sb, IrType.F32, d, s, (sb, _, b) => sb.Unop(IrOp.FConvert, IrType.F64, b)));
        t.AddVector(Mnemonic.Cvtsd2ss, (c, _, d, s) => ScalarOp(c.Sb, IrType.F64, d, s, (sb, _, b) => sb.Unop(IrOp.FConvert, IrType.F32, b)));
        t.AddBothEncodings(Mnemonic.Cvtsi2ss, c => IntToScalar(c, IrType.F32));
        t.AddBothEncodings(Mnemonic.Cvtsi2sd, c => IntToScalar(c, IrType.F64));
        t.AddBothEncodings(Mnemonic.Cvttss2si, c => ScalarToInt(c, IrType.F32, IrOp.FToSIntTrunc));
        t.AddBothEncodings(Mnemonic.Cvttsd2si, c => ScalarToInt(c, IrType.F64, IrOp.FToSIntTrunc));
        t.AddBothEncodings(Mnemonic.Cvtss2si, c => ScalarToInt(c, IrType.F32, IrOp.FToSIntRound));
        t.AddBothEncodings(Mnemonic.Cvtsd2si, c => ScalarToInt(c, IrType.F64, IrOp.FToSIntRound));
        foreach (var m in (Mnemonic[])[Mnemonic.Comiss, Mnemonic.Ucomiss]) t.AddBothEncodings(m, c => CompareToFlags(c, IrType.F32));
        foreach (var m in (Mnemonic[])[Mnemonic.Comisd, Mnemonic.Ucomisd]) t.AddBothEncodings(m, c => CompareToFlags(c, IrType.F64));
        t.AddVector(Mnemonic.Cmpps, (c, _, d, s) => Compare(c, d, s, IrType.F32));
        t.AddVector(Mnemonic.Cmppd, (c, _, d, s) => Compare(c, d, s, IrType.F64));
        t.AddVector(Mnemonic.Cmpss, (c, _, d, s) => ScalarCompare(c, d, s, IrType.F32));
        t.AddVector(Mnemonic.Cmpsd, (c, _, d, s) => ScalarCompare(c, d, s, IrType.F64));
        t.AddVector(Mnemonic.Shufps, (c, _, d, s) => Shuffled(c.Sb, d, s, IrType.F32, c.Insn.Immediate8));
        // A 256-bit vshufpd takes each lane's two selector bits from its own part of the immediate.
        t.AddVector(Mnemonic.Shufpd, (c, half, d, s) => Shuffled(c.Sb, d, s, IrType.F64, (c.Insn.Immediate8 >> (2 * half)) & 3));
        t.AddVector(Mnemonic.Movshdup, (c, _, _, s) => Shuffled(c.Sb, s, s, IrType.I32, 0b11_11_01_01));
        t.AddVector(Mnemonic.Movsldup, (c, _, _, s) => Shuffled(c.Sb, s, s, IrType.I32, 0b10_10_00_00));
        t.AddVector(Mnemonic.Haddps, (c, _, d, s) => Horizontal(c.Sb, d, s, IrOp.VFAdd, IrType.F32, 0b10_00_10_00, 0b11_01_11_01));
        t.AddVector(Mnemonic.Hsubps, (c, _, d, s) => Horizontal(c.Sb, d, s, IrOp.VFSub, IrType.F32, 0b10_00_10_00, 0b11_01_11_01));
        t.AddVector(Mnemonic.Haddpd, (c, _, d, s) => Horizontal(c.Sb, d, s, IrOp.VFAdd, IrType.F64, 0b00, 0b11));
        t.AddVector(Mnemonic.Hsubpd, (c, _, d, s) => Horizontal(c.Sb, d, s, IrOp.VFSub, IrType.F64, 0b00, 0b11));
        t.AddVector(Mnemonic.Addsubps, (c, _, d, s) => AddSub(c.Sb, d, s, IrType.F32));
        t.AddVector(Mnemonic.Addsubpd, (c, _, d, s) => AddSub(c.Sb, d, s, IrType.F64));
        t.AddVector(Mnemonic.Dpps, (c, _, d, s) => DotProduct(c.Sb, d, s, IrType.F32, c.Insn.Immediate8));
        t.AddVector(Mnemonic.Dppd, (c, _, d, s) => DotProduct(c.Sb, d, s, IrType.F64, c.Insn.Immediate8));
        t.AddVector(Mnemonic.Roundss, (c, _, d, s) => Round(c, d, s, IrType.F32, 1));
        t.AddVector(Mnemonic.Roundsd, (c, _, d, s) => Round(c, d, s, IrType.F64, 1));
        t.AddVector(Mnemonic.Roundps, (c, _, _, s) => Round(c, Zero, s, IrType.F32, 4));
        t.AddVector(Mnemonic.Roundpd, (c, _, _, s) => Round(c, Zero, s, IrType.F64, 2));
    }

    /// <summary>Lane 0 of the result = f(lane 0 of d, lane 0 of s); the other lanes are d's.</summary>
    private static IrValue ScalarOp(Superblock sb, IrType type, IrValue d, IrValue s, Func<Superblock, IrValue, IrValue, IrValue> f) =>
        WithLane(sb, d, 0, f(sb, Lane(sb, d, 0, type), Lane(sb, s, 0, type)));

    /// <summary>The first <paramref name="count"/> lanes of s converted into the low lanes of a zeroed vector.</summary>
    internal static IrValue ConvertLanes(Superblock sb, IrValue s, IrOp op, IrType from, IrType to, int count)
    {
        var mode = op == IrOp.FToSIntRound ? MxcsrRounding(sb) : IrValue.None;
        var result = Zero;
        for (int i = 0; i < count; i++) result = WithLane(sb, result, i, Convert(sb, op, to, Lane(sb, s, i, from), mode));
        return result;
    }

    /// <summary>
    /// FToSIntRound stands for "rounded as MXCSR.RC says": rounding to an integral value in that
    /// mode and then truncating is exact, NaN and overflow still give the integer indefinite.
    /// </summary>
    private static IrValue Convert(Superblock sb, IrOp op, IrType to, IrValue value, IrValue mode) => op == IrOp.FToSIntRound
        ? sb.Unop(IrOp.FToSIntTrunc, to, sb.Binop(IrOp.FRoundInt, value.Type, value, mode))
        : sb.Unop(op, to, value);

    /// <summary>MXCSR.RC (bits 14:13) as an I8 rounding mode; its encoding is roundsd's imm[1:0].</summary>
    internal static IrValue MxcsrRounding(Superblock sb)
    {
        var rc = sb.Binop(IrOp.Shr, sb.Get(GuestState.OffMxcsr, IrType.I32), IrValue.U8(13));
        return sb.Unop(IrOp.Truncate, IrType.I8, sb.Binop(IrOp.And, rc, IrValue.U32(3)));
    }

    /// <summary>cvtsi2ss/cvtsi2sd: lane 0 of the first source replaced by the converted integer.</summary>
    private static bool IntToScalar(LiftContext c, IrType type)
    {
        if (!IsXmm(c, 0)) return false;
        int source = SecondSourceOperand(c);
        var value = c.Read(source, IrTypes.IntOfBytes(OperandBytes(c, source)));
        PutDest(c, WithLane(c.Sb, FirstSource(c), 0, c.Sb.Unop(IrOp.SIntToF, type, value)));
        return true;
    }

    private static bool ScalarToInt(LiftContext c, IrType type, IrOp op)
    {
        if (!IsGpr(c, 0)) return false;
        var value = Lane(c.Sb, Source(c, 1), 0, type);
        var mode = op == IrOp.FToSIntRound ? MxcsrRounding(c.Sb) : IrValue.None;
        c.Write(0, Convert(c.Sb, op, IrTypes.IntOfBytes(OperandBytes(c, 0)), value, mode));
        return true;
    }

    /// <summary>comis/ucomis: ZF, PF, CF from the compare; OF, SF, AF cleared.</summary>
    private static bool CompareToFlags(LiftContext c, IrType type)
    {
        if (!IsXmm(c, 0)) return false;
        var sb = c.Sb;
        var flags = sb.Binop(IrOp.FCmpFlags, IrType.I32, Lane(sb, Dest(c), 0, type), Lane(sb, Source(c, 1), 0, type));
        c.SetFlagsFromRflags(sb.Unop(IrOp.ZeroExtend, IrType.I64, flags));
        return true;
    }

    /// <summary>
    /// cmpps/cmppd: the predicate is imm[2:0] in the legacy form and imm[4:0] in the VEX form, whose predicates
    /// 16-31 give the results of 0-15 (they differ only in signalling, which is not modelled).
    /// </summary>
    private static IrValue Compare(LiftContext c, IrValue d, IrValue s, IrType lane)
    {
        int predicate = c.Insn.Immediate8 & (c.Insn.Encoding == EncodingKind.VEX ? 15 : 7);
        return c.Sb.Triop(IrOp.VFCmp, IrType.V128, d, s, IrValue.U8((ulong)predicate), lane);
    }

    /// <summary>cmpss/cmpsd: the lane-0 mask replaces lane 0.</summary>
    private static IrValue ScalarCompare(LiftContext c, IrValue d, IrValue s, IrType type)
    {
        var sb = c.Sb;
        var mask = Compare(c, d, s, type);
        return WithLane(sb, d, 0, Lane(sb, mask, 0, IrTypes.IntOfBytes(type.Bytes())));
    }

    private static IrValue Shuffled(Superblock sb, IrValue a, IrValue b, IrType lane, int control) =>
        sb.Triop(IrOp.VShuffle, IrType.V128, a, b, IrValue.U8((ulong)control), lane);

    /// <summary>hadd/hsub: even lanes op odd lanes, d's pairs in the low half, s's pairs in the high half.</summary>
    private static IrValue Horizontal(Superblock sb, IrValue d, IrValue s, IrOp op, IrType lane, int evens, int odds) =>
        Binary(sb, op, Shuffled(sb, d, s, lane, evens), Shuffled(sb, d, s, lane, odds), lane);

    /// <summary>addsub: even lanes subtract, odd lanes add.</summary>
    private static IrValue AddSub(Superblock sb, IrValue d, IrValue s, IrType lane)
    {
        var intLane = IrTypes.IntOfBytes(lane.Bytes());
        var odd = LaneMask(lane == IrType.F32 ? 0b1010 : 0b10, intLane);
        return Select(sb, odd, Binary(sb, IrOp.VFSub, d, s, lane), Binary(sb, IrOp.VFAdd, d, s, lane));
    }

    /// <summary>
    /// dpps/dppd: products of the lanes imm[7:4] selects (+0.0 elsewhere), summed pairwise as the
    /// CPU adds them, broadcast to the lanes imm[3:0] selects, zero elsewhere.
    /// </summary>
    private static IrValue DotProduct(Superblock sb, IrValue d, IrValue s, IrType lane, int imm)
    {
        int lanes = 16 / lane.Bytes();
        var intLane = IrTypes.IntOfBytes(lane.Bytes());
        var products = sb.Binop(IrOp.And, Binary(sb, IrOp.VFMul, d, s, lane), LaneMask((imm >> 4) & ((1 << lanes) - 1), intLane));
        IrValue Product(int i) => Lane(sb, products, i, lane);
        var sum = lanes == 2
            ? sb.Binop(IrOp.FAdd, lane, Product(0), Product(1))
            : sb.Binop(IrOp.FAdd, lane, sb.Binop(IrOp.FAdd, lane, Product(0), Product(1)), sb.Binop(IrOp.FAdd, lane, Product(2), Product(3)));
        return sb.Binop(IrOp.And, sb.Unop(IrOp.VSplat, IrType.V128, sum, lane), LaneMask(imm & ((1 << lanes) - 1), intLane));
    }

    /// <summary>
    /// round*: imm[1:0] is the rounding mode unless imm[2] selects MXCSR.RC (same encoding). The first
    /// <paramref name="count"/> lanes of <paramref name="into"/> are replaced by s's rounded.
    /// </summary>
    private static IrValue Round(LiftContext c, IrValue into, IrValue s, IrType type, int count)
    {
        var sb = c.Sb;
        int imm = c.Insn.Immediate8;
        var mode = (imm & 4) != 0 ? MxcsrRounding(sb) : IrValue.U8((ulong)(imm & 3));
        var result = into;
        for (int i = 0; i < count; i++)
            result = WithLane(sb, result, i, sb.Binop(IrOp.FRoundInt, type, Lane(sb, s, i, type), mode));
        return result;
    }
}
