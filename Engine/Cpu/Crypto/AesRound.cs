namespace Memcheck.Engine.Cpu.Crypto;

/// <summary>
/// The AES round steps of FIPS-197 on a 16-byte state held as the XMM register holds it (byte r + 4c is row r of
/// column c), and the S-boxes, generated from their definition (multiplicative inverse in GF(2^8), then the affine map).
/// </summary>
internal static class AesRound
{
    private static readonly byte[] Sbox = new byte[256], InverseSbox = new byte[256];

    static AesRound()
    {
        for (int x = 0; x < 256; x++)
        {
            byte inverse = x == 0 ? (byte)0 : Inverse((byte)x);
            int s = inverse;
            for (int shift = 1; shift <= 4; shift++) s ^= (inverse << shift | inverse >> (8 - shift)) & 0xFF;
            Sbox[x] = (byte)(s ^ 0x63);
            InverseSbox[Sbox[x]] = (byte)x;
        }
    }

    /// <summary>Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1.</summary>
    private static byte Multiply(byte a, byte b)
    {
        int product = 0, x = a;
        for (int y = b; y != 0; y >>= 1, x = (x << 1) ^ ((x & 0x80) != 0 ? 0x11B : 0))
            if ((y & 1) != 0) product ^= x;
        return (byte)product;
    }

    private static byte Inverse(byte a)
    {
        // a^254 is a's inverse in the field.
        byte result = 1;
        for (int i = 0; i < 254; i++) result = Multiply(result, a);
        return result;
    }

    public static void SubBytes(Span<byte> state, bool inverse)
    {
        var box = inverse ? InverseSbox : Sbox;
        for (int i = 0; i < 16; i++) state[i] = box[state[i]];
    }

    /// <summary>Row r moves r columns left (right for the inverse).</summary>
    public static void ShiftRows(Span<byte> state, bool inverse)
    {
        Span<byte> copy = stackalloc byte[16];
        state.CopyTo(copy);
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
                state[r + 4 * c] = copy[r + 4 * ((inverse ? c - r + 4 : c + r) % 4)];
    }

    public static void MixColumns(Span<byte> state, bool inverse)
    {
        ReadOnlySpan<byte> coefficients = inverse ? [14, 11, 13, 9] : [2, 3, 1, 1];
        Span<byte> column = stackalloc byte[4];
        for (int c = 0; c < 4; c++)
        {
            state.Slice(4 * c, 4).CopyTo(column);
            for (int r = 0; r < 4; r++)
            {
                byte sum = 0;
                for (int k = 0; k < 4; k++) sum ^= Multiply(coefficients[(k - r + 4) % 4], column[k]);
                state[4 * c + r] = sum;
            }
        }
    }

    public static uint SubWord(uint word) =>
        (uint)(Sbox[word & 0xFF] | Sbox[(word >> 8) & 0xFF] << 8 | Sbox[(word >> 16) & 0xFF] << 16 | Sbox[word >> 24] << 24);
}
