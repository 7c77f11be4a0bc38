namespace Memcheck.Engine.Ir;

/// <summary>Scalar floating point, as SSE computes it (NaN operands propagate quieted, first operand first).</summary>
public static partial class IrEvaluator
{
    private const ulong F64Sign = 1UL << 63, F64QuietBit = 1UL << 51, F64DefaultNaN = 0xFFF8_0000_0000_0000;
    private const ulong F32Sign = 1UL << 31, F32QuietBit = 1UL << 22, F32DefaultNaN = 0xFFC0_0000;

    private static Value128 FloatUnop(IrOp op, IrType resultType, IrType argType, Value128 a)
    {
        bool single = resultType == IrType.F32;
        switch (op)
        {
            case IrOp.FNeg:
                return a.Lo ^ (single ? F32Sign : F64Sign);
            case IrOp.FAbs:
                return a.Lo & ~(single ? F32Sign : F64Sign);
            case IrOp.FSqrt:
                if (IsNaN(resultType, a.Lo)) return Quiet(resultType, a.Lo);
                return single
                    ? (ulong)BitConverter.SingleToUInt32Bits(MathF.Sqrt(AsF32(a.Lo)))
                    : BitConverter.DoubleToUInt64Bits(Math.Sqrt(AsF64(a.Lo)));
            case IrOp.FConvert:
                return argType == IrType.F32 ? F32ToF64((uint)a.Lo) : F64ToF32(a.Lo);
            case IrOp.SIntToF:
            {
                long s = SignExtend(a.Lo, argType.Bits());
                return single ? (ulong)BitConverter.SingleToUInt32Bits(s) : BitConverter.DoubleToUInt64Bits(s);
            }
            case IrOp.FToSIntTrunc:
            case IrOp.FToSIntRound:
            {
                double v = argType == IrType.F32 ? AsF32(a.Lo) : AsF64(a.Lo);
                v = op == IrOp.FToSIntTrunc ? Math.Truncate(v) : Math.Round(v, MidpointRounding.ToEven);
                return Int(resultType, FloatToInt(v, resultType.Bits()));
            }
            default:
                throw Unsupported(op, resultType);
        }
    }

    /// <summary>Scalar float binop on operands of <paramref name="type"/> (F32 or F64).</summary>
    private static Value128 FloatBinop(IrOp op, IrType type, Value128 a, Value128 b)
    {
        ulong x = a.Lo, y = b.Lo;
        bool single = type == IrType.F32;
        switch (op)
        {
            case IrOp.FMin:
                return (single ? AsF32(x) < AsF32(y) : AsF64(x) < AsF64(y)) ? x : y;
            case IrOp.FMax:
                return (single ? AsF32(x) > AsF32(y) : AsF64(x) > AsF64(y)) ? x : y;
            case IrOp.FCmpFlags:
            {
                double p = single ? AsF32(x) : AsF64(x), q = single ? AsF32(y) : AsF64(y);
                return double.IsNaN(p) || double.IsNaN(q) ? 0x45UL : p < q ? 0x01UL : p == q ? 0x40UL : 0UL;
            }
        }
        if (IsNaN(type, x)) return Quiet(type, x);
        if (IsNaN(type, y)) return Quiet(type, y);
        if (single)
        {
            float p = AsF32(x), q = AsF32(y);
            float r = op switch
            {
                IrOp.FAdd => p + q,
                IrOp.FSub => p - q,
                IrOp.FMul => p * q,
                IrOp.FDiv => p / q,
                _ => throw Unsupported(op, type),
            };
            return float.IsNaN(r) ? F32DefaultNaN : BitConverter.SingleToUInt32Bits(r);
        }
        else
        {
            double p = AsF64(x), q = AsF64(y);
            double r = op switch
            {
                IrOp.FAdd => p + q,
                IrOp.FSub => p - q,
                IrOp.FMul => p * q,
                IrOp.FDiv => p / q,
                _ => throw Unsupported(op, type),
            };
            return double.IsNaN(r) ? F64DefaultNaN : BitConverter.DoubleToUInt64Bits(r);
        }
    }

    /// <summary>
    /// One lane of a fused multiply-add, ±(x*y) ± z rounded once. NaN operands propagate as x86's FMA instructions do:
    /// the first NaN of x, y, z, quieted, never negated; an invalid product or sum gives the default NaN.
    /// </summary>
    private static ulong FusedMultiplyAdd(IrType lane, ulong x, ulong y, ulong z, bool negateProduct, bool negateAddend)
    {
        foreach (ulong operand in (ReadOnlySpan<ulong>)[x, y, z])
            if (IsNaN(lane, operand)) return Quiet(lane, operand);
        ulong sign = lane == IrType.F32 ? F32Sign : F64Sign;
        if (negateProduct) x ^= sign;
        if (negateAddend) z ^= sign;
        if (lane == IrType.F32)
        {
            float r = MathF.FusedMultiplyAdd(AsF32(x), AsF32(y), AsF32(z));
            return float.IsNaN(r) ? F32DefaultNaN : BitConverter.SingleToUInt32Bits(r);
        }
        double d = Math.FusedMultiplyAdd(AsF64(x), AsF64(y), AsF64(z));
        return double.IsNaN(d) ? F64DefaultNaN : BitConverter.DoubleToUInt64Bits(d);
    }

    /// <summary>roundss/roundsd: an integral value of the same type; mode 0 nearest even, 1 down, 2 up, 3 toward zero.</summary>
    private static Value128 RoundToIntegral(IrType type, Value128 a, int mode)
    {
        if (IsNaN(type, a.Lo)) return Quiet(type, a.Lo);
        double v = type == IrType.F32 ? AsF32(a.Lo) : AsF64(a.Lo);
        double r = (mode & 3) switch
        {
            0 => Math.Round(v, MidpointRounding.ToEven),
            1 => Math.Floor(v),
            2 => Math.Ceiling(v),
            _ => Math.Truncate(v),
        };
        return type == IrType.F32 ? BitConverter.SingleToUInt32Bits((float)r) : BitConverter.DoubleToUInt64Bits(r);
    }

    /// <summary>Truncated-or-rounded float to a signed integer of <paramref name="bits"/>; x86's integer indefinite when out of range.</summary>
    private static ulong FloatToInt(double v, int bits)
    {
        double limit = Math.ScaleB(1.0, bits - 1);
        ulong indefinite = 1UL << (bits - 1);
        return double.IsNaN(v) || v >= limit || v < -limit ? indefinite : (ulong)(long)v;
    }

    private static ulong F32ToF64(uint bits)
    {
        if (!IsNaN(IrType.F32, bits)) return BitConverter.DoubleToUInt64Bits(BitConverter.UInt32BitsToSingle(bits));
        ulong sign = (ulong)(bits & F32Sign) << 32;
        ulong fraction = (ulong)(bits & 0x7F_FFFF) << 29;
        return sign | 0x7FF0_0000_0000_0000 | fraction | F64QuietBit;
    }

    private static ulong F64ToF32(ulong bits)
    {
        if (!IsNaN(IrType.F64, bits)) return BitConverter.SingleToUInt32Bits((float)BitConverter.UInt64BitsToDouble(bits));
        ulong sign = (bits & F64Sign) >> 32;
        ulong fraction = (bits >> 29) & 0x7F_FFFF;
        return sign | 0x7F80_0000 | fraction | F32QuietBit;
    }

    private static bool IsNaN(IrType type, ulong bits) => type == IrType.F32
        ? (bits & 0x7FFF_FFFF) > 0x7F80_0000
        : (bits & ~F64Sign) > 0x7FF0_0000_0000_0000;

    private static ulong Quiet(IrType type, ulong bits) => bits | (type == IrType.F32 ? F32QuietBit : F64QuietBit);

    private static float AsF32(ulong bits) => BitConverter.UInt32BitsToSingle((uint)bits);
    private static double AsF64(ulong bits) => BitConverter.UInt64BitsToDouble(bits);
}
