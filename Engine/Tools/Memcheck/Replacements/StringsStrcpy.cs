namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>
/// The NUL-terminated copies (strcpy, stpcpy, strncpy, stpncpy, strcat, strncat, wcscpy, __strcpy_chk,
/// __stpcpy_chk): a byte at a time, each byte's NUL test a decision, the terminator written as a defined 0.
/// The overlap check comes after the copy, over the bytes actually read and written, as in Valgrind.
/// </summary>
public static class StringsStrcpy
{
    public static ulong Strcpy(ref StringMemory m, ulong dst, ulong src)
    {
        CopyString(ref m, dst, src, "strcpy");
        return dst;
    }

    /// <summary>stpcpy: returns the address of the terminator written.</summary>
    public static ulong Stpcpy(ref StringMemory m, ulong dst, ulong src) => dst + CopyString(ref m, dst, src, "stpcpy");

    public static ulong Strncpy(ref StringMemory m, ulong dst, ulong src, ulong n)
    {
        CopyBounded(ref m, dst, src, n, "strncpy");
        return dst;
    }

    /// <summary>stpncpy: returns the address of the first NUL written, or dst + n when none was.</summary>
    public static ulong Stpncpy(ref StringMemory m, ulong dst, ulong src, ulong n) => dst + CopyBounded(ref m, dst, src, n, "stpncpy");

    public static ulong Strcat(ref StringMemory m, ulong dst, ulong src)
    {
        ulong dstLen = StringsSearch.Length(ref m, dst, 10, 11);
        ulong srcLen = CopyChars(ref m, dst + dstLen, src, ulong.MaxValue);
        m.Store(dst + dstLen + srcLen, 1, 0, ValueShadow.Defined, 3);
        if (StringsOverlap.Overlaps(dst, src, dstLen + srcLen + 1, srcLen + 1))
            m.Overlap(4, "strcat", dst, src, 0);
        return dst;
    }

    /// <summary>strncat: at most n characters then a NUL; the source range checked includes one byte past those copied.</summary>
    public static ulong Strncat(ref StringMemory m, ulong dst, ulong src, ulong n)
    {
        ulong dstLen = StringsSearch.Length(ref m, dst, 10, 11);
        ulong copied = CopyChars(ref m, dst + dstLen, src, n);
        m.Store(dst + dstLen + copied, 1, 0, ValueShadow.Defined, 3);
        if (StringsOverlap.Overlaps(dst, src, dstLen + copied + 1, copied + 1))
            m.Overlap(4, "strncat", dst, src, n);
        return dst;
    }

    /// <summary>__strcpy_chk: every byte copied (the NUL too) must fit in dstLen; no overlap check.</summary>
    public static ulong StrcpyChk(ref StringMemory m, ulong dst, ulong src, ulong dstLen)
    {
        CopyChecked(ref m, dst, src, dstLen, "strcpy_chk");
        return dst;
    }

    public static ulong StpcpyChk(ref StringMemory m, ulong dst, ulong src, ulong dstLen) =>
        dst + CopyChecked(ref m, dst, src, dstLen, "stpcpy_chk");

    /// <summary>wcscpy: 4-byte characters; the overlap ranges are the bytes spanned plus one, as Valgrind measures them.</summary>
    public static ulong Wcscpy(ref StringMemory m, ulong dst, ulong src)
    {
        ulong i = 0;
        while (true)
        {
            ulong c = m.Load(src + 4 * i, 4, 1, out ValueShadow shadow);
            m.Decide(shadow, 2);
            if (c == 0)
                break;
            m.Store(dst + 4 * i, 4, c, shadow, 3);
            i++;
        }
        m.Store(dst + 4 * i, 4, 0, ValueShadow.Defined, 4);
        if (StringsOverlap.Overlaps(dst, src, 4 * i + 1, 4 * i + 1))
            m.Overlap(5, "wcscpy", dst, src, 0);
        return dst;
    }

    /// <summary>Copy up to the NUL, write a defined terminator, check overlap; returns the string's length.</summary>
    private static ulong CopyString(ref StringMemory m, ulong dst, ulong src, string function)
    {
        ulong len = CopyChars(ref m, dst, src, ulong.MaxValue);
        m.Store(dst + len, 1, 0, ValueShadow.Defined, 3);
        if (StringsOverlap.Overlaps(dst, src, len + 1, len + 1))
            m.Overlap(4, function, dst, src, 0);
        return len;
    }

    /// <summary>strncpy's body: up to n characters, the overlap check, then NUL padding to n; returns the characters copied.</summary>
    private static ulong CopyBounded(ref StringMemory m, ulong dst, ulong src, ulong n, string function)
    {
        ulong copied = CopyChars(ref m, dst, src, n);
        if (StringsOverlap.Overlaps(dst, src, n, copied < n ? copied + 1 : n))
            m.Overlap(4, function, dst, src, n);
        for (ulong i = copied; i < n; i++)
            m.Store(dst + i, 1, 0, ValueShadow.Defined, 5);
        return copied;
    }

    /// <summary>Copy characters (not the NUL) while fewer than <paramref name="limit"/>; returns how many.</summary>
    private static ulong CopyChars(ref StringMemory m, ulong dst, ulong src, ulong limit)
    {
        ulong i = 0;
        for (; i < limit; i++)
        {
            byte c = m.LoadByte(src + i, 1, out ValueShadow shadow);
            m.Decide(shadow, 2);
            if (c == 0)
                break;
            m.Store(dst + i, 1, c, shadow, 3);
        }
        return i;
    }

    /// <summary>Copy bytes up to and including the NUL, failing once dstLen bytes are used up; returns the length.</summary>
    private static ulong CopyChecked(ref StringMemory m, ulong dst, ulong src, ulong dstLen, string function)
    {
        if (dstLen == 0)
            m.BufferOverflow(function);
        for (ulong i = 0; ; i++)
        {
            byte c = m.LoadByte(src + i, 1, out ValueShadow shadow);
            m.Store(dst + i, 1, c, shadow, 3);
            m.Decide(shadow, 2);
            if (c == 0)
                return i;
            if (i + 1 == dstLen)
                m.BufferOverflow(function);
        }
    }
}
