namespace Memcheck.Engine.Tests.Cpu.X87;

/// <summary>Random operands F64 holds exactly, with the special values mixed in.</summary>
internal static class X87Inputs
{
    private static readonly double[] Specials =
        [0.0, -0.0, 1.0, -1.0, double.PositiveInfinity, double.NegativeInfinity, 0.5, 3.0];

    /// <summary>A double with a random 53-bit significand and an exponent in +-<paramref name="exponentRange"/>.</summary>
    public static double Double(Random random, int exponentRange = 40, bool specials = true)
    {
        if (specials && random.Next(12) == 0) return Specials[random.Next(Specials.Length)];
        double significand = (double)(random.NextInt64(1L << 52, 1L << 53)) / (1L << 52);
        if (random.Next(3) == 0) significand = Math.Round(significand * 16) / 16; // ties and exact results
        double value = Math.ScaleB(significand, random.Next(-exponentRange, exponentRange + 1));
        return random.Next(2) == 0 ? value : -value;
    }

    public static float Single(Random random) => (float)Math.Round(Double(random, 20), 3);

    /// <summary>A NaN with a random payload, quiet so that the CPU and the model agree on it.</summary>
    public static double QuietNaN(Random random) =>
        BitConverter.UInt64BitsToDouble(0x7FF8_0000_0000_0000UL | (ulong)random.NextInt64(1L << 51) | ((ulong)random.Next(2) << 63));
}
