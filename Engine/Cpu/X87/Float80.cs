using System.Numerics;

namespace Memcheck.Engine.Cpu.X87;

/// <summary>
/// Conversions between the x87 80-bit extended format (64-bit significand with an explicit
/// integer bit, 15-bit exponent, sign in bit 15 of the sign/exponent word) and F64, which is how
/// the guest state holds x87 registers. F64 -> F80 is exact; F80 -> F64 rounds to nearest even,
/// as an x87 store to m64 does with the default control word.
/// </summary>
public static class Float80
{
    private const int F80Bias = 16383, F64Bias = 1023;
    private const ulong IntegerBit = 1UL << 63;
    private const ulong F64FracMask = (1UL << 52) - 1;
    private const ulong F64QuietBit = 1UL << 51;
    private const ulong F64Infinity = 0x7FFUL << 52;
    /// <summary>The "real indefinite" NaN the x87 produces for invalid operands.</summary>
    public const ulong F64Indefinite = 0xFFF8_0000_0000_0000;

    /// <summary>The F64 bit pattern nearest the extended value (significand, sign/exponent word).</summary>
    public static ulong ToF64Bits(ulong significand, ushort signExponent)
    {
        ulong sign = (ulong)(signExponent >> 15) << 63;
        int exponent = signExponent & 0x7FFF;
        bool integerBit = (significand & IntegerBit) != 0;

        if (exponent == 0x7FFF)
        {
            // Without the integer bit these are pseudo-infinities/pseudo-NaNs: invalid operands.
            if (!integerBit) return F64Indefinite;
            ulong fraction = significand & ~IntegerBit;
            if (fraction == 0) return sign | F64Infinity;
            // The payload's top bits survive; a signalling NaN is quietened as a store to m64 does.
            return sign | F64Infinity | F64QuietBit | (fraction >> 11);
        }
        if (exponent != 0 && !integerBit) return F64Indefinite; // unnormal: invalid operand
        if (significand == 0) return sign;

        // Denormals and pseudo-denormals (exponent 0) share the scale of exponent 1.
        int unbiased = Math.Max(exponent, 1) - F80Bias;
        // Normalise so the leading one is bit 63 (denormals have it lower).
        int lz = BitOperations.LeadingZeroCount(significand);
        ulong mant = significand << lz;
        unbiased -= lz;

        if (unbiased > F64Bias) return sign | F64Infinity;
        // Bits to drop: 11 for a normal result; more for an F64 denormal (scale 2^-1074).
        int drop = unbiased >= 1 - F64Bias ? 11 : -1011 - unbiased;
        if (drop > 64) return sign;
        ulong kept = drop == 64 ? 0 : mant >> drop;
        ulong rest = drop == 64 ? mant : mant & ((1UL << drop) - 1);
        ulong half = 1UL << (drop - 1);
        if (rest > half || (rest == half && (kept & 1) != 0)) kept++;

        if (drop > 11) return sign | kept; // denormal, or the smallest normal after rounding up
        if (kept == 1UL << 53)
        {
            kept >>= 1;
            unbiased++;
            if (unbiased > F64Bias) return sign | F64Infinity;
        }
        return sign | ((ulong)(unbiased + F64Bias) << 52) | (kept & F64FracMask);
    }

    /// <summary>The exact extended form of an F64 bit pattern.</summary>
    public static (ulong Significand, ushort SignExponent) FromF64Bits(ulong bits)
    {
        ushort sign = (ushort)((bits >> 63) << 15);
        int exponent = (int)(bits >> 52) & 0x7FF;
        ulong fraction = bits & F64FracMask;

        if (exponent == 0x7FF) return (IntegerBit | (fraction << 11), (ushort)(sign | 0x7FFF));
        if (exponent == 0)
        {
            if (fraction == 0) return (0, sign);
            int lz = BitOperations.LeadingZeroCount(fraction);
            // fraction * 2^-1074 with its leading one moved to bit 63.
            return (fraction << lz, (ushort)(sign | (F80Bias - 1011 - lz)));
        }
        return (IntegerBit | (fraction << 11), (ushort)(sign | (exponent - F64Bias + F80Bias)));
    }

    /// <summary>The class fxam reports for an extended value held as F64 (C3,C2,C0 bits set by the caller).</summary>
    public static X87Class Classify(ulong f64Bits)
    {
        ulong magnitude = f64Bits & ~(1UL << 63);
        if (magnitude == 0) return X87Class.Zero;
        if (magnitude == F64Infinity) return X87Class.Infinity;
        if (magnitude > F64Infinity) return X87Class.NaN;
        // Every F64 denormal is a normal extended value.
        return X87Class.Normal;
    }
}

/// <summary>
/// fxam's classes, valued as their C3,C2,C0 bits in status-word positions. Unsupported and
/// denormal extended values never reach the F64 registers, so those classes are absent.
/// </summary>
public enum X87Class : ushort
{
    NaN = 0x0100,
    Normal = 0x0400,
    Infinity = 0x0500,
    Zero = 0x4000,
    Empty = 0x4100,
}
