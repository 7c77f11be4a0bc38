namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>
/// Lengths and searches over byte strings (strlen ... strpbrk), a byte at a time: reading past the end of the
/// string never happens, and every test of a byte is a decision that reports undefined bits.
/// </summary>
public static class StringsSearch
{
    public static ulong Strlen(ref StringMemory m, ulong s) => Length(ref m, s, 1, 2);

    public static ulong Strnlen(ref StringMemory m, ulong s, ulong n)
    {
        ulong i = 0;
        for (; i < n; i++)
        {
            byte c = m.LoadByte(s + i, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == 0)
                break;
        }
        return i;
    }

    /// <summary>strchr and index: the match test, then the end test, each its own branch.</summary>
    public static ulong Strchr(ref StringMemory m, ulong s, ulong ch)
    {
        byte wanted = (byte)ch;
        for (ulong p = s; ; p++)
        {
            byte c = m.LoadByte(p, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == wanted)
                return p;
            m.Decide(v, 3);
            if (c == 0)
                return 0;
        }
    }

    /// <summary>strrchr and rindex: the last match before the end (the NUL itself for ch = 0).</summary>
    public static ulong Strrchr(ref StringMemory m, ulong s, ulong ch)
    {
        byte wanted = (byte)ch;
        ulong last = 0;
        for (ulong p = s; ; p++)
        {
            byte c = m.LoadByte(p, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == wanted)
                last = p;
            if (c == 0)
                return last;
        }
    }

    public static ulong Strchrnul(ref StringMemory m, ulong s, ulong ch)
    {
        byte wanted = (byte)ch;
        for (ulong p = s; ; p++)
        {
            byte c = m.LoadByte(p, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == wanted || c == 0)
                return p;
        }
    }

    public static ulong Rawmemchr(ref StringMemory m, ulong s, ulong ch)
    {
        byte wanted = (byte)ch;
        for (ulong p = s; ; p++)
        {
            byte c = m.LoadByte(p, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == wanted)
                return p;
        }
    }

    public static ulong Memchr(ref StringMemory m, ulong s, ulong ch, ulong n)
    {
        byte wanted = (byte)ch;
        for (ulong i = 0; i < n; i++)
        {
            byte c = m.LoadByte(s + i, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == wanted)
                return s + i;
        }
        return 0;
    }

    /// <summary>memrchr: from the last byte down.</summary>
    public static ulong Memrchr(ref StringMemory m, ulong s, ulong ch, ulong n)
    {
        byte wanted = (byte)ch;
        for (ulong i = n; i-- > 0;)
        {
            byte c = m.LoadByte(s + i, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == wanted)
                return s + i;
        }
        return 0;
    }

    /// <summary>strstr: the needle's length first, then each haystack position whose first byte matches.</summary>
    public static ulong Strstr(ref StringMemory m, ulong haystack, ulong needle) =>
        Find(ref m, haystack, needle, static c => c);

    /// <summary>strcasestr: as strstr, comparing ASCII case-folded bytes.</summary>
    public static ulong Strcasestr(ref StringMemory m, ulong haystack, ulong needle) =>
        Find(ref m, haystack, needle, StringsCompare.ToLower);

    /// <summary>strpbrk: the first byte of s that is in accept, or null.</summary>
    public static ulong Strpbrk(ref StringMemory m, ulong s, ulong accept)
    {
        ulong setLen = Length(ref m, accept, 10, 11);
        if (setLen == 0)
            return 0;
        for (ulong p = s; ; p++)
        {
            byte c = m.LoadByte(p, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == 0)
                return 0;
            if (InSet(ref m, c, v, accept, setLen))
                return p;
        }
    }

    /// <summary>strspn: the length of the prefix of s made of bytes in accept.</summary>
    public static ulong Strspn(ref StringMemory m, ulong s, ulong accept)
    {
        ulong setLen = Length(ref m, accept, 10, 11);
        if (setLen == 0)
            return 0;
        ulong len = 0;
        for (; ; len++)
        {
            byte c = m.LoadByte(s + len, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == 0 || !InSet(ref m, c, v, accept, setLen))
                return len;
        }
    }

    /// <summary>strcspn: the length of the prefix of s with no byte in reject.</summary>
    public static ulong Strcspn(ref StringMemory m, ulong s, ulong reject)
    {
        ulong setLen = Length(ref m, reject, 10, 11);
        ulong len = 0;
        for (; ; len++)
        {
            byte c = m.LoadByte(s + len, 1, out ValueShadow v);
            m.Decide(v, 2);
            if (c == 0 || InSet(ref m, c, v, reject, setLen))
                return len;
        }
    }

    /// <summary>A byte-string length with the given load and decision sites (strcat and the set functions share it).</summary>
    internal static ulong Length(ref StringMemory m, ulong s, int loadSite, int decideSite)
    {
        ulong i = 0;
        while (true)
        {
            byte c = m.LoadByte(s + i, loadSite, out ValueShadow v);
            m.Decide(v, decideSite);
            if (c == 0)
                return i;
            i++;
        }
    }

    private static bool InSet(ref StringMemory m, byte c, ValueShadow cv, ulong set, ulong setLen)
    {
        for (ulong i = 0; i < setLen; i++)
        {
            byte member = m.LoadByte(set + i, 3, out ValueShadow v);
            m.Decide(cv | v, 4);
            if (c == member)
                return true;
        }
        return false;
    }

    private static ulong Find(ref StringMemory m, ulong haystack, ulong needle, Func<byte, byte> fold)
    {
        ulong needleLen = Length(ref m, needle, 10, 11);
        if (needleLen == 0)
            return haystack;
        byte first = fold(m.LoadByte(needle, 3, out ValueShadow firstV));
        for (ulong h = haystack; ; h++)
        {
            byte c = fold(m.LoadByte(h, 2, out ValueShadow v));
            m.Decide(v, 4);
            if (c == 0)
                return 0;
            m.Decide(v | firstV, 5);
            if (c != first)
                continue;
            ulong i = 0;
            for (; i < needleLen; i++)
            {
                byte n = fold(m.LoadByte(needle + i, 6, out ValueShadow nv));
                byte hc = fold(m.LoadByte(h + i, 7, out ValueShadow hv));
                m.Decide(nv | hv, 8);
                if (n != hc)
                    break;
            }
            if (i == needleLen)
                return h;
        }
    }
}
