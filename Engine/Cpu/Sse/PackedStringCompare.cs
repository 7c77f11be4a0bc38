namespace Memcheck.Engine.Cpu.Sse;

/// <summary>
/// The SSE4.2 packed string comparison (pcmpistri/pcmpestri/pcmpistrm/pcmpestrm), computed from the
/// instruction's control byte as the Intel SDM specifies it: element format, aggregation, polarity
/// and output selection.
/// </summary>
internal static class PackedStringCompare
{
    public const int FlagCF = 1 << 0, FlagZF = 1 << 6, FlagSF = 1 << 7, FlagOF = 1 << 11;

    /// <summary>The comparison outcome: IntRes2 as a bit per element, the index, and RFLAGS.</summary>
    public readonly record struct Result(int Mask, int Index, ulong Rflags);

    /// <summary>
    /// Compare <paramref name="a"/> (the first operand, the set or needle) with <paramref name="b"/>
    /// (the second operand, the text). Explicit lengths are RAX/RDX as the instruction reads them
    /// (their absolute value counts elements, saturated); for the implicit forms pass null and the
    /// first zero element ends the operand.
    /// </summary>
    public static Result Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int control, long? lengthA, long? lengthB)
    {
        bool words = (control & 1) != 0, signed = (control & 2) != 0;
        int n = words ? 8 : 16;
        int la = lengthA is { } explicitA ? ExplicitLength(explicitA, n) : ImplicitLength(a, n, words);
        int lb = lengthB is { } explicitB ? ExplicitLength(explicitB, n) : ImplicitLength(b, n, words);
        Span<int> ea = stackalloc int[n], eb = stackalloc int[n];
        Elements(a, words, signed, ea);
        Elements(b, words, signed, eb);

        int res1 = 0;
        int aggregation = (control >> 2) & 3;
        for (int j = 0; j < n; j++)
        {
            bool bit = aggregation switch
            {
                0 => EqualAny(ea, la, eb, lb, j),
                1 => Ranges(ea, la, eb, lb, j),
                2 => j < la && j < lb ? ea[j] == eb[j] : j >= la && j >= lb,
                _ => EqualOrdered(ea, la, eb, lb, j),
            };
            if (bit) res1 |= 1 << j;
        }

        int all = (1 << n) - 1;
        int res2 = ((control >> 4) & 3) switch
        {
            1 => ~res1 & all,
            3 => (res1 ^ ((1 << lb) - 1)) & all,
            _ => res1,
        };
        int index = res2 == 0 ? n
            : (control & 0x40) != 0 ? 31 - int.LeadingZeroCount(res2) : int.TrailingZeroCount(res2);
        ulong flags = (res2 != 0 ? (ulong)FlagCF : 0) | (lb < n ? (ulong)FlagZF : 0)
            | (la < n ? (ulong)FlagSF : 0) | ((res2 & 1) != 0 ? (ulong)FlagOF : 0);
        return new Result(res2, index, flags);
    }

    private static bool EqualAny(ReadOnlySpan<int> ea, int la, ReadOnlySpan<int> eb, int lb, int j)
    {
        if (j >= lb) return false;
        for (int i = 0; i < la; i++)
            if (ea[i] == eb[j]) return true;
        return false;
    }

    private static bool Ranges(ReadOnlySpan<int> ea, int la, ReadOnlySpan<int> eb, int lb, int j)
    {
        if (j >= lb) return false;
        for (int i = 0; i + 1 < la; i += 2)
            if (eb[j] >= ea[i] && eb[j] <= ea[i + 1]) return true;
        return false;
    }

    /// <summary>
    /// The needle a must match b starting at j; needle elements past its end always match, text
    /// elements past its end never do, and positions past the register are not compared.
    /// </summary>
    private static bool EqualOrdered(ReadOnlySpan<int> ea, int la, ReadOnlySpan<int> eb, int lb, int j)
    {
        for (int i = 0; i < la && j + i < eb.Length; i++)
            if (j + i >= lb || ea[i] != eb[j + i]) return false;
        return true;
    }

    /// <summary>The byte or word mask pcmp?strm writes to XMM0: bits zero-extended, or each element all-ones (control bit 6).</summary>
    public static void WriteMask(Span<byte> xmm0, int mask, int control)
    {
        xmm0.Clear();
        bool words = (control & 1) != 0;
        if ((control & 0x40) == 0)
        {
            xmm0[0] = (byte)mask;
            xmm0[1] = (byte)(mask >> 8);
            return;
        }
        int size = words ? 2 : 1;
        for (int j = 0; j < 16 / size; j++)
            if ((mask & (1 << j)) != 0) xmm0.Slice(j * size, size).Fill(0xFF);
    }

    private static void Elements(ReadOnlySpan<byte> v, bool words, bool signed, Span<int> elements)
    {
        for (int i = 0; i < elements.Length; i++)
            elements[i] = words
                ? signed ? (short)(v[2 * i] | v[2 * i + 1] << 8) : v[2 * i] | v[2 * i + 1] << 8
                : signed ? (sbyte)v[i] : v[i];
    }

    private static int ImplicitLength(ReadOnlySpan<byte> v, int n, bool words)
    {
        for (int i = 0; i < n; i++)
            if (words ? v[2 * i] == 0 && v[2 * i + 1] == 0 : v[i] == 0) return i;
        return n;
    }

    private static int ExplicitLength(long length, int n) => length < -n || length > n ? n : (int)Math.Abs(length);
}
