namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>
/// The wide-character functions (wcslen, wcsnlen, wcscmp, wcsncmp, wcschr, wcsrchr, wmemchr): 4-byte wchar_t
/// loads, so an invalid access is "of size 4"; characters compare as signed ints, as glibc's do.
/// </summary>
public static class StringsWide
{
    private const ulong CharSize = 4;

    public static ulong Wcslen(ref StringMemory m, ulong s) => Wcsnlen(ref m, s, ulong.MaxValue);

    public static ulong Wcsnlen(ref StringMemory m, ulong s, ulong n)
    {
        ulong i = 0;
        for (; i < n; i++)
        {
            ulong c = m.Load(s + CharSize * i, 4, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == 0)
                break;
        }
        return i;
    }

    public static ulong Wcscmp(ref StringMemory m, ulong s1, ulong s2) => Compare(ref m, s1, s2, ulong.MaxValue);

    public static ulong Wcsncmp(ref StringMemory m, ulong s1, ulong s2, ulong n) => Compare(ref m, s1, s2, n);

    public static ulong Wcschr(ref StringMemory m, ulong s, ulong ch)
    {
        uint wanted = (uint)ch;
        for (ulong p = s; ; p += CharSize)
        {
            ulong c = m.Load(p, 4, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == wanted)
                return p;
            m.Decide(v, 3);
            if (c == 0)
                return 0;
        }
    }

    public static ulong Wcsrchr(ref StringMemory m, ulong s, ulong ch)
    {
        uint wanted = (uint)ch;
        ulong last = 0;
        for (ulong p = s; ; p += CharSize)
        {
            ulong c = m.Load(p, 4, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == wanted)
                last = p;
            if (c == 0)
                return last;
        }
    }

    public static ulong Wmemchr(ref StringMemory m, ulong s, ulong ch, ulong n)
    {
        uint wanted = (uint)ch;
        for (ulong i = 0; i < n; i++)
        {
            ulong c = m.Load(s + CharSize * i, 4, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == wanted)
                return s + CharSize * i;
        }
        return 0;
    }

    private static ulong Compare(ref StringMemory m, ulong s1, ulong s2, ulong n)
    {
        for (ulong i = 0; i < n; i++)
        {
            int a = (int)m.Load(s1 + CharSize * i, 4, 1, out ValueShadow va);
            int b = (int)m.Load(s2 + CharSize * i, 4, 2, out ValueShadow vb);
            m.Decide(va | vb, 3);
            if (a == b && a != 0)
                continue;
            m.Decide(va | vb, 4);
            return a < b ? ulong.MaxValue : a > b ? 1UL : 0UL;
        }
        return 0;
    }
}
