namespace Memcheck.Engine.Ir;

/// <summary>
/// Lane-wise operations on V128. Lane 0 is the least significant. The lane type (I8..I64, F32, F64)
/// selects the lane width; float lanes follow the scalar float semantics.
/// </summary>
public static partial class IrEvaluator
{
    private static Value128 VectorUnop(IrOp op, IrType argType, IrType lane, Value128 a)
    {
        switch (op)
        {
            case IrOp.VMoveMask:
            {
                int bits = lane.Bits(), lanes = 128 / bits;
                ulong mask = 0;
                for (int i = 0; i < lanes; i++) mask |= (GetLane(a, bits, i) >> (bits - 1)) << i;
                return mask;
            }
            case IrOp.VSplat:
            {
                IrType laneType = lane == IrType.None ? argType : lane;
                int bits = laneType.Bits();
                var r = new Value128();
                for (int i = 0; i < 128 / bits; i++) SetLane(ref r, bits, i, a.Lo);
                return r;
            }
            default:
                throw Unsupported(op, lane);
        }
    }

    private static Value128 VectorBinop(IrOp op, IrType resultType, IrType lane, Value128 a, Value128 b)
    {
        switch (op)
        {
            case IrOp.VInterleaveLo:
            case IrOp.VInterleaveHi:
            {
                int bits = lane.Bits(), half = 64 / bits;
                int from = op == IrOp.VInterleaveLo ? 0 : half;
                var r = new Value128();
                for (int i = 0; i < half; i++)
                {
                    SetLane(ref r, bits, 2 * i, GetLane(a, bits, from + i));
                    SetLane(ref r, bits, 2 * i + 1, GetLane(b, bits, from + i));
                }
                return r;
            }
            case IrOp.VPackSS:
            case IrOp.VPackUS:
            {
                int bits = lane.Bits(), narrow = bits / 2, lanes = 128 / bits;
                long max = op == IrOp.VPackSS ? (1L << (narrow - 1)) - 1 : (1L << narrow) - 1;
                long min = op == IrOp.VPackSS ? -(1L << (narrow - 1)) : 0;
                var r = new Value128();
                for (int i = 0; i < lanes; i++)
                {
                    SetLane(ref r, narrow, i, (ulong)Math.Clamp(SignExtend(GetLane(a, bits, i), bits), min, max));
                    SetLane(ref r, narrow, lanes + i, (ulong)Math.Clamp(SignExtend(GetLane(b, bits, i), bits), min, max));
                }
                return r;
            }
            case IrOp.VExtractLane:
                return Normalise(resultType, GetLane(a, lane.Bits(), (int)b.Lo));
            case IrOp.VShiftBytesLeft:
                return b.Lo >= 16 ? 0 : FromU128(ToU128(a) << (int)(8 * b.Lo));
            case IrOp.VShiftBytesRight:
                return b.Lo >= 16 ? 0 : FromU128(ToU128(a) >> (int)(8 * b.Lo));
            case IrOp.VShl:
            case IrOp.VShr:
            case IrOp.VSar:
                return VectorShift(op, lane, a, b, perLane: false);
            case IrOp.VShlV:
            case IrOp.VShrV:
            case IrOp.VSarV:
                return VectorShift(op, lane, a, b, perLane: true);
            case IrOp.VPermBytes:
            {
                var r = new Value128();
                for (int i = 0; i < 16; i++)
                {
                    ulong selector = GetLane(b, 8, i);
                    SetLane(ref r, 8, i, (selector & 0x80) != 0 ? 0 : GetLane(a, 8, (int)(selector & 15)));
                }
                return r;
            }
            case IrOp.VFAdd: return FloatLanes(IrOp.FAdd, lane, a, b);
            case IrOp.VFSub: return FloatLanes(IrOp.FSub, lane, a, b);
            case IrOp.VFMul: return FloatLanes(IrOp.FMul, lane, a, b);
            case IrOp.VFDiv: return FloatLanes(IrOp.FDiv, lane, a, b);
            case IrOp.VFMin: return FloatLanes(IrOp.FMin, lane, a, b);
            case IrOp.VFMax: return FloatLanes(IrOp.FMax, lane, a, b);
            default:
                return IntegerLanes(op, lane, a, b);
        }
    }

    private static Value128 VectorTriop(IrOp op, IrType lane, Value128 a, Value128 b, Value128 c)
    {
        switch (op)
        {
            case IrOp.VInsertLane:
            {
                var r = a;
                SetLane(ref r, lane.Bits(), (int)b.Lo, c.Lo);
                return r;
            }
            case IrOp.VFCmp:
            {
                int bits = lane.Bits();
                var r = new Value128();
                for (int i = 0; i < 128 / bits; i++)
                {
                    ulong x = GetLane(a, bits, i), y = GetLane(b, bits, i);
                    double p = bits == 32 ? AsF32(x) : AsF64(x), q = bits == 32 ? AsF32(y) : AsF64(y);
                    bool unordered = double.IsNaN(p) || double.IsNaN(q);
                    bool holds = (c.Lo & 15) switch
                    {
                        0 => p == q,
                        1 => p < q,
                        2 => p <= q,
                        3 => unordered,
                        4 => !(p == q),
                        5 => !(p < q),
                        6 => !(p <= q),
                        7 => !unordered,
                        8 => unordered || p == q,
                        9 => !(p >= q),
                        10 => !(p > q),
                        11 => false,
                        12 => !unordered && p != q,
                        13 => p >= q,
                        14 => p > q,
                        _ => true,
                    };
                    SetLane(ref r, bits, i, holds ? ulong.MaxValue : 0);
                }
                return r;
            }
            case IrOp.VShuffle:
                return Shuffle(lane, a, b, (int)c.Lo);
            case IrOp.VFMulAdd:
            case IrOp.VFMulSub:
            case IrOp.VFNegMulAdd:
            case IrOp.VFNegMulSub:
            {
                int bits = lane.Bits();
                bool negateProduct = op is IrOp.VFNegMulAdd or IrOp.VFNegMulSub, negateAddend = op is IrOp.VFMulSub or IrOp.VFNegMulSub;
                var r = new Value128();
                for (int i = 0; i < 128 / bits; i++)
                    SetLane(ref r, bits, i, FusedMultiplyAdd(lane, GetLane(a, bits, i), GetLane(b, bits, i), GetLane(c, bits, i), negateProduct, negateAddend));
                return r;
            }
            default:
                throw Unsupported(op, lane);
        }
    }

    /// <summary>
    /// VShuffle(a, b, control) by lane type:
    /// F32 (shufps): lanes 0-1 from a, lanes 2-3 from b, each picked by a 2-bit field of control, low field first.
    /// F64 (shufpd): lane 0 = a[bit 0], lane 1 = b[bit 1].
    /// I32 (pshufd): lane i = a[2-bit field i]; b is ignored.
    /// I16 (pshuflw, pshufhw): the four words of one half of a picked by 2-bit fields from that same half,
    /// the other half copied from a; control bit 8 clear selects the low half (pshuflw), set the high (pshufhw).
    /// </summary>
    private static Value128 Shuffle(IrType lane, Value128 a, Value128 b, int control)
    {
        var r = new Value128();
        switch (lane)
        {
            case IrType.F32:
                for (int i = 0; i < 4; i++) SetLane(ref r, 32, i, GetLane(i < 2 ? a : b, 32, (control >> (2 * i)) & 3));
                return r;
            case IrType.F64:
                return new Value128((control & 1) == 0 ? a.Lo : a.Hi, (control & 2) == 0 ? b.Lo : b.Hi);
            case IrType.I32:
                for (int i = 0; i < 4; i++) SetLane(ref r, 32, i, GetLane(a, 32, (control >> (2 * i)) & 3));
                return r;
            case IrType.I16:
            {
                r = a;
                int first = (control & 0x100) == 0 ? 0 : 4;
                for (int i = 0; i < 4; i++) SetLane(ref r, 16, first + i, GetLane(a, 16, first + ((control >> (2 * i)) & 3)));
                return r;
            }
            default:
                throw Unsupported(IrOp.VShuffle, lane);
        }
    }

    /// <summary>
    /// Each lane shifted by the low qword of <paramref name="counts"/> or, <paramref name="perLane"/>, by the same lane
    /// of it; a count of the lane's width or more leaves 0 (the sign, for arithmetic shifts).
    /// </summary>
    private static Value128 VectorShift(IrOp op, IrType lane, Value128 a, Value128 counts, bool perLane)
    {
        int bits = lane.Bits();
        var r = new Value128();
        for (int i = 0; i < 128 / bits; i++)
        {
            ulong x = GetLane(a, bits, i), count = perLane ? GetLane(counts, bits, i) : counts.Lo;
            ulong v = op switch
            {
                IrOp.VShl or IrOp.VShlV => count >= (ulong)bits ? 0 : x << (int)count,
                IrOp.VShr or IrOp.VShrV => count >= (ulong)bits ? 0 : x >> (int)count,
                _ => (ulong)(SignExtend(x, bits) >> (int)Math.Min(count, (ulong)bits - 1)),
            };
            SetLane(ref r, bits, i, v);
        }
        return r;
    }

    private static Value128 FloatLanes(IrOp scalarOp, IrType lane, Value128 a, Value128 b)
    {
        int bits = lane.Bits();
        var r = new Value128();
        for (int i = 0; i < 128 / bits; i++)
            SetLane(ref r, bits, i, FloatBinop(scalarOp, lane, GetLane(a, bits, i), GetLane(b, bits, i)).Lo);
        return r;
    }

    private static Value128 IntegerLanes(IrOp op, IrType lane, Value128 a, Value128 b)
    {
        int bits = lane.Bits();
        long smax = (long)(lane.Mask() >> 1), smin = -smax - 1;
        ulong umax = lane.Mask();
        var r = new Value128();
        for (int i = 0; i < 128 / bits; i++)
        {
            ulong x = GetLane(a, bits, i), y = GetLane(b, bits, i);
            long sx = SignExtend(x, bits), sy = SignExtend(y, bits);
            ulong v = op switch
            {
                IrOp.VAdd => x + y,
                IrOp.VSub => x - y,
                IrOp.VAddSatU => x + y < x || x + y > umax ? umax : x + y,
                IrOp.VAddSatS => (ulong)Math.Clamp(sx + sy, smin, smax),
                IrOp.VSubSatU => x > y ? x - y : 0,
                IrOp.VSubSatS => (ulong)Math.Clamp(sx - sy, smin, smax),
                IrOp.VMul => x * y,
                IrOp.VMulHiU => bits == 64 ? Math.BigMul(x, y, out _) : (x * y) >> bits,
                IrOp.VMulHiS => bits == 64 ? (ulong)Math.BigMul(sx, sy, out _) : (ulong)((sx * sy) >> bits),
                IrOp.VCmpEQ => x == y ? ulong.MaxValue : 0,
                IrOp.VCmpGTS => sx > sy ? ulong.MaxValue : 0,
                IrOp.VMinU => Math.Min(x, y),
                IrOp.VMinS => (ulong)Math.Min(sx, sy),
                IrOp.VMaxU => Math.Max(x, y),
                IrOp.VMaxS => (ulong)Math.Max(sx, sy),
                IrOp.VAvgU => (x + y + 1) >> 1,
                _ => throw Unsupported(op, lane),
            };
            SetLane(ref r, bits, i, v);
        }
        return r;
    }

    /// <summary>Lane <paramref name="index"/> of width <paramref name="bits"/>, zero-extended.</summary>
    internal static ulong GetLane(Value128 v, int bits, int index)
    {
        int at = bits * index;
        ulong word = at < 64 ? v.Lo : v.Hi;
        ulong shifted = word >> (at & 63);
        return bits == 64 ? shifted : shifted & ((1UL << bits) - 1);
    }

    internal static void SetLane(ref Value128 v, int bits, int index, ulong value)
    {
        int at = bits * index, shift = at & 63;
        ulong mask = bits == 64 ? ulong.MaxValue : ((1UL << bits) - 1) << shift;
        ulong part = (value << shift) & mask;
        if (at < 64) v.Lo = (v.Lo & ~mask) | part;
        else v.Hi = (v.Hi & ~mask) | part;
    }
}
