namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>
/// strcmp, strncmp, strcasecmp, strncasecmp (the _l forms too: case folding is ASCII, as in the C and UTF-8
/// locales), memcmp and bcmp. Results follow Valgrind's replacements: -1, 0 or 1 for the string compares, the
/// difference of the first differing bytes for memcmp.
/// </summary>
public static class StringsCompare
{
    private const ulong Word = 8;

    public static ulong Strcmp(ref StringMemory m, ulong s1, ulong s2) => Compare(ref m, s1, s2, ulong.MaxValue, fold: false);

    public static ulong Strncmp(ref StringMemory m, ulong s1, ulong s2, ulong n) => Compare(ref m, s1, s2, n, fold: false);

    public static ulong Strcasecmp(ref StringMemory m, ulong s1, ulong s2) => Compare(ref m, s1, s2, ulong.MaxValue, fold: true);

    public static ulong Strncasecmp(ref StringMemory m, ulong s1, ulong s2, ulong n) => Compare(ref m, s1, s2, n, fold: true);

    /// <summary>memcmp and bcmp: equal words skipped while both pointers are word-aligned, then bytes.</summary>
    public static ulong Memcmp(ref StringMemory m, ulong s1, ulong s2, ulong n)
    {
        if (((s1 | s2) & (Word - 1)) == 0)
        {
            for (; n >= Word; s1 += Word, s2 += Word, n -= Word)
            {
                ulong w1 = m.Load(s1, 8, 1, out ValueShadow v1);
                ulong w2 = m.Load(s2, 8, 2, out ValueShadow v2);
                m.Decide(v1 | v2, 3);
                if (w1 != w2)
                    break;
            }
        }
        for (; n != 0; s1++, s2++, n--)
        {
            byte a = m.LoadByte(s1, 4, out ValueShadow va);
            byte b = m.LoadByte(s2, 5, out ValueShadow vb);
            m.Decide(va | vb, 6);
            if (a != b)
                return (ulong)(long)(a - b);
        }
        return 0;
    }

    public static byte ToLower(byte c) => c is >= (byte)'A' and <= (byte)'Z' ? (byte)(c + ('a' - 'A')) : c;

    /// <summary>
    /// The string compares: per position the equality test (which ends on a difference or the end of s1); the
    /// final ordering of the two bytes that ended it is a second branch.
    /// </summary>
    private static ulong Compare(ref StringMemory m, ulong s1, ulong s2, ulong n, bool fold)
    {
        for (ulong i = 0; i < n; i++)
        {
            byte a = m.LoadByte(s1 + i, 1, out ValueShadow va);
            byte b = m.LoadByte(s2 + i, 2, out ValueShadow vb);
            if (fold)
            {
                a = ToLower(a);
                b = ToLower(b);
            }
            m.Decide(va | vb, 3);
            if (a == b && a != 0)
                continue;
            m.Decide(va | vb, 4);
            return a < b ? ulong.MaxValue : a > b ? 1UL : 0UL;
        }
        return 0;
    }
}
