namespace Memcheck.Engine.Tests.Cpu.Vector;

/// <summary>
/// Random operand bytes in several shapes, since uniformly random bits are mostly NaNs to float
/// instructions and never contain the zero bytes string instructions stop at.
/// </summary>
internal static class VectorInputs
{
    public const int Shapes = 5;

    public static void Fill(Random rng, int shape, Span<byte> bytes)
    {
        switch (shape)
        {
            case 0:
                rng.NextBytes(bytes);
                break;
            case 1:
                for (int i = 0; i + 8 <= bytes.Length; i += 8) BitConverter.TryWriteBytes(bytes[i..], Double(rng));
                break;
            case 2:
                for (int i = 0; i + 4 <= bytes.Length; i += 4) BitConverter.TryWriteBytes(bytes[i..], (float)Double(rng));
                break;
            case 3:
                ReadOnlySpan<byte> alphabet = [0, (byte)'a', (byte)'b', (byte)'c', (byte)'z', 0x80, 0xFF, 0x7F];
                for (int i = 0; i < bytes.Length; i++) bytes[i] = rng.Next(4) == 0 ? (byte)rng.Next(256) : alphabet[rng.Next(alphabet.Length)];
                break;
            default:
                ReadOnlySpan<short> words = [0, 1, -1, short.MaxValue, short.MinValue, 0x80, 0xFF, 2];
                for (int i = 0; i + 2 <= bytes.Length; i += 2)
                    BitConverter.TryWriteBytes(bytes[i..], rng.Next(3) == 0 ? (short)rng.Next(-300, 300) : words[rng.Next(words.Length)]);
                break;
        }
    }

    /// <summary>Mostly ordinary values (integral, fractional, halves for rounding), sometimes zeros, infinities, NaN, huge.</summary>
    private static double Double(Random rng) => rng.Next(16) switch
    {
        0 => 0.0,
        1 => -0.0,
        2 => double.PositiveInfinity,
        3 => double.NaN,
        4 => rng.Next(-40, 40) + 0.5,
        5 => (rng.NextDouble() - 0.5) * 1e20,
        6 => rng.Next(-1000, 1000),
        _ => (rng.NextDouble() - 0.5) * 2000,
    };

    /// <summary>A GPR value: random bits, a small count (explicit string lengths), or an int32.</summary>
    public static ulong Gpr(Random rng) => rng.Next(3) switch
    {
        0 => (ulong)rng.NextInt64() ^ ((ulong)rng.Next(2) << 63),
        1 => (ulong)(long)rng.Next(-20, 21),
        _ => (ulong)(long)rng.Next(int.MinValue, int.MaxValue),
    };
}
