namespace Memcheck.Engine.Cpu.X87;

/// <summary>
/// The arithmetic behind the x87 helpers, on F64 values with all exceptions masked (the
/// results the x87 produces then: indefinites, infinities, NaNs).
/// </summary>
public static class X87Math
{
    private const double Ln2 = 0.69314718055994530942;
    /// <summary>The x87's answer to an invalid operation.</summary>
    private static readonly double Indefinite = BitConverter.UInt64BitsToDouble(Float80.F64Indefinite);

    /// <summary>Round to an integral value in the control word's rounding mode (bits 10-11).</summary>
    public static double Round(double x, ulong controlWord) => ((controlWord >> 10) & 3) switch
    {
        0 => Math.Round(x, MidpointRounding.ToEven),
        1 => Math.Floor(x),
        2 => Math.Ceiling(x),
        _ => Math.Truncate(x),
    };

    /// <summary>fist's result of <paramref name="size"/> bytes: the integer indefinite when out of range.</summary>
    public static ulong ToInteger(double x, ulong controlWord, int size)
    {
        double r = Round(x, controlWord);
        double limit = Math.ScaleB(1.0, 8 * size - 1);
        ulong indefinite = 1UL << (8 * size - 1);
        // The negated comparison also catches NaN.
        if (!(r >= -limit && r < limit)) return indefinite;
        return (ulong)(long)r & (size == 8 ? ulong.MaxValue : (1UL << (8 * size)) - 1);
    }

    /// <summary>2^x - 1, accurate near zero where f2xm1's callers need it.</summary>
    public static double Exp2Minus1(double x)
    {
        double t = x * Ln2;
        double u = Math.Exp(t);
        if (u == 1.0) return t;
        double uMinus1 = u - 1.0;
        if (uMinus1 == -1.0) return -1.0;
        // (u - 1) is exact; scaling by t/log(u) corrects the rounding of exp (Kahan's expm1).
        return uMinus1 * t / Math.Log(u);
    }

    /// <summary>log2(1 + x) without losing the low bits of a small x.</summary>
    public static double Log2OnePlus(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0) return x / Ln2;
        // (u - 1) is exact, so log(u) scaled by x/(u-1) corrects the rounding of 1 + x.
        return Math.Log(u) * (x / (u - 1.0)) / Ln2;
    }

    /// <summary>fscale: x * 2^trunc(y).</summary>
    public static double Scale(double x, double y)
    {
        if (double.IsNaN(x) || double.IsNaN(y)) return PropagateNaN(x, y);
        if (double.IsPositiveInfinity(y)) return x == 0 ? Indefinite : x * y;
        if (double.IsNegativeInfinity(y)) return double.IsInfinity(x) ? Indefinite : x * 0.0;
        // Beyond +-4096 every F64 already overflows or underflows.
        return Math.ScaleB(x, (int)Math.Clamp(Math.Truncate(y), -4096, 4096));
    }

    /// <summary>The NaN an x87 operation on two operands returns: the NaN one, or the larger significand, quietened.</summary>
    public static double PropagateNaN(double x, double y)
    {
        ulong a = BitConverter.DoubleToUInt64Bits(x), b = BitConverter.DoubleToUInt64Bits(y);
        const ulong magnitude = ~(1UL << 63), quiet = 1UL << 51;
        ulong chosen = !double.IsNaN(y) || (double.IsNaN(x) && (a & magnitude) >= (b & magnitude)) ? a : b;
        return BitConverter.UInt64BitsToDouble(chosen | quiet);
    }

    /// <summary>fxtract's exponent: the unbiased exponent of x as a value (-inf for zero).</summary>
    public static double Exponent(double x)
    {
        if (x == 0) return double.NegativeInfinity;
        if (double.IsInfinity(x)) return double.PositiveInfinity;
        if (double.IsNaN(x)) return x;
        return Math.ILogB(x);
    }

    /// <summary>fxtract's significand: x scaled into [1, 2) keeping its sign.</summary>
    public static double Significand(double x)
    {
        if (x == 0 || double.IsInfinity(x) || double.IsNaN(x)) return x;
        return Math.ScaleB(x, -Math.ILogB(x));
    }

    /// <summary>
    /// fprem (truncated quotient) or fprem1 (quotient rounded to nearest), computed to completion
    /// (the x87 may need several rounds; C2 is then always clear), and the low three bits of the
    /// quotient's magnitude.
    /// </summary>
    public static (double Value, int QuotientLow3) Remainder(double x, double y, bool ieee)
    {
        if (double.IsNaN(x) || double.IsNaN(y)) return (PropagateNaN(x, y), 0);
        if (double.IsInfinity(x) || y == 0) return (Indefinite, 0);
        if (double.IsInfinity(y)) return (x, 0);
        double ax = Math.Abs(x), ay = Math.Abs(y);
        double r = ieee ? Math.IEEERemainder(ax, ay) : ax % ay;
        // ax mod 8ay is exact and differs from r by (q mod 8) * ay.
        double r8 = ax % (8 * ay);
        int q = (int)Math.Round((r8 - r) / ay) & 7;
        return (x < 0 ? -r : r, q);
    }
}
