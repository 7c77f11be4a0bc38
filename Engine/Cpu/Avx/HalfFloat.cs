namespace Memcheck.Engine.Cpu.Avx;

/// <summary>
/// IEEE binary16 conversions as F16C performs them: half to single is exact (a NaN comes out quieted, its payload
/// kept), single to half rounds as the rounding mode says (0 nearest even, 1 down, 2 up, 3 toward zero), overflowing
/// to infinity or the largest finite half by that mode, a NaN keeping its payload's top bits, quieted.
/// </summary>
internal static class HalfFloat
{
    private const uint SingleQuiet = 0x40_0000, HalfQuiet = 0x200;
    private const ushort HalfInfinity = 0x7C00, HalfMaxFinite = 0x7BFF;

    public static uint ToSingle(ushort half)
    {
        uint sign = (uint)(half & 0x8000) << 16;
        int exponent = (half >> 10) & 0x1F;
        uint fraction = (uint)half & 0x3FF;
        if (exponent == 0x1F)
            return sign | 0x7F80_0000 | (fraction != 0 ? SingleQuiet | fraction << 13 : 0);
        if (exponent != 0) return sign | (uint)(exponent - 15 + 127) << 23 | fraction << 13;
        if (fraction == 0) return sign;
        // A subnormal half is fraction * 2^-24: normalise it into the single's exponent.
        int shift = System.Numerics.BitOperations.LeadingZeroCount(fraction) - 21;
        fraction = (fraction << shift) & 0x3FF;
        return sign | (uint)(-14 - shift + 127) << 23 | fraction << 13;
    }

    public static ushort FromSingle(uint single, int mode)
    {
        bool negative = (single & 0x8000_0000) != 0;
        uint sign = negative ? 0x8000u : 0;
        int exponent = (int)((single >> 23) & 0xFF);
        uint fraction = single & 0x7F_FFFF;
        if (exponent == 0xFF)
            return (ushort)(sign | HalfInfinity | (fraction != 0 ? HalfQuiet | fraction >> 13 : 0));
        if (exponent == 0 && fraction == 0) return (ushort)sign;
        // The value is significand * 2^scale exactly.
        ulong significand = exponent == 0 ? fraction : fraction | 0x80_0000;
        int scale = exponent == 0 ? -149 : exponent - 150;
        int top = 63 - System.Numerics.BitOperations.LeadingZeroCount(significand) + scale;
        if (top > 15) return Overflow(sign, negative, mode);
        // Units of the result's last place: 2^(top-10) for a normal half, 2^-24 below the normal range.
        int unit = Math.Max(top, -14) - 10;
        int drop = unit - scale;
        ulong kept = drop >= 64 ? 0 : significand >> drop;
        ulong rest = drop >= 64 ? significand : significand & ((1UL << drop) - 1);
        ulong halfway = drop >= 65 ? ulong.MaxValue : 1UL << (drop - 1);
        bool up = rest != 0 && mode switch
        {
            0 => rest > halfway || rest == halfway && (kept & 1) != 0,
            1 => negative,
            2 => !negative,
            _ => false,
        };
        if (up) kept++;
        // Below the normal range the bits are the subnormal encoding; above, the implicit bit adds one to the exponent.
        ulong bits = top < -14 ? kept : ((ulong)(top + 14) << 10) + kept;
        return bits >= HalfInfinity ? Overflow(sign, negative, mode) : (ushort)(sign | bits);
    }

    private static ushort Overflow(uint sign, bool negative, int mode)
    {
        bool toInfinity = mode == 0 || mode == 1 && negative || mode == 2 && !negative;
        return (ushort)(sign | (toInfinity ? HalfInfinity : HalfMaxFinite));
    }
}
