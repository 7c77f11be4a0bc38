using System.Runtime.InteropServices;

namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>
/// memcpy, memmove, mempcpy, bcopy, memset and their __*_chk forms, with the access pattern of Valgrind's
/// replacements (so an invalid access is reported with the size Valgrind reports) and V bits copied byte for byte.
/// A copy or fill touching only accessible memory takes a bulk path with the same result.
/// </summary>
public static unsafe class StringsCopy
{
    private const ulong Word = 8;

    /// <summary>memcpy: the overlap is checked first, then the copy goes as memmove (never corrupting).</summary>
    public static ulong Memcpy(ref StringMemory m, ulong dst, ulong src, ulong len)
    {
        if (StringsOverlap.Overlaps(dst, src, len, len))
            m.Overlap(0, "memcpy", dst, src, len);
        return Memmove(ref m, dst, src, len);
    }

    /// <summary>memmove: words when source and destination share their alignment, then halfwords, then bytes.</summary>
    public static ulong Memmove(ref StringMemory m, ulong dst, ulong src, ulong len)
    {
        if (len == 0 || TryBulkCopy(ref m, dst, src, len))
            return dst;
        if (dst < src || !StringsOverlap.Overlaps(dst, src, len, len))
            CopyForwardByWords(ref m, dst, src, len);
        else if (dst > src)
            CopyBackwardByWords(ref m, dst, src, len);
        return dst;
    }

    /// <summary>mempcpy: overlap checked, then bytes in the direction that does not corrupt; returns dst + len.</summary>
    public static ulong Mempcpy(ref StringMemory m, ulong dst, ulong src, ulong len)
    {
        if (len == 0)
            return dst;
        if (StringsOverlap.Overlaps(dst, src, len, len))
            m.Overlap(0, "mempcpy", dst, src, len);
        CopyBytes(ref m, dst, src, len);
        return dst + len;
    }

    /// <summary>bcopy(src, dst, n): bytes, no overlap check.</summary>
    public static void Bcopy(ref StringMemory m, ulong src, ulong dst, ulong len)
    {
        if (len != 0)
            CopyBytes(ref m, dst, src, len);
    }

    /// <summary>__memcpy_chk: the destination size first, then overlap ("memcpy_chk"), then bytes.</summary>
    public static ulong MemcpyChk(ref StringMemory m, ulong dst, ulong src, ulong len, ulong dstLen)
    {
        if (dstLen < len)
            m.BufferOverflow("memcpy_chk");
        if (len == 0)
            return dst;
        if (StringsOverlap.Overlaps(dst, src, len, len))
            m.Overlap(0, "memcpy_chk", dst, src, len);
        CopyBytes(ref m, dst, src, len);
        return dst;
    }

    /// <summary>__memmove_chk: the destination size, then bytes.</summary>
    public static ulong MemmoveChk(ref StringMemory m, ulong dst, ulong src, ulong len, ulong dstLen)
    {
        if (dstLen < len)
            m.BufferOverflow("memmove_chk");
        if (len != 0)
            CopyBytes(ref m, dst, src, len);
        return dst;
    }

    /// <summary>memset: bytes up to 8-alignment, 32-byte runs of words, words, then bytes; the fill is defined.</summary>
    public static ulong Memset(ref StringMemory m, ulong dst, ulong c, ulong len)
    {
        byte b = (byte)c;
        if (len == 0)
            return dst;
        if (m.AllAccessible(dst, len, write: true))
        {
            NativeMemory.Fill((void*)dst, (nuint)len, b);
            m.Shadow.MakeDefined(dst, len);
            return dst;
        }
        ulong word = b * 0x0101010101010101UL;
        ulong a = dst, n = len;
        for (; (a & 7) != 0 && n >= 1; a++, n--)
            m.Store(a, 1, b, ValueShadow.Defined, 1);
        for (; n >= 32; a += 32, n -= 32)
            for (int i = 0; i < 4; i++)
                m.Store(a + (ulong)(8 * i), 8, word, ValueShadow.Defined, 2 + i);
        for (; n >= 8; a += 8, n -= 8)
            m.Store(a, 8, word, ValueShadow.Defined, 6);
        for (; n >= 1; a++, n--)
            m.Store(a, 1, b, ValueShadow.Defined, 7);
        return dst;
    }

    /// <summary>Byte copy, forwards when dst is below src and backwards when above, as memmove.</summary>
    private static void CopyBytes(ref StringMemory m, ulong dst, ulong src, ulong len)
    {
        if (TryBulkCopy(ref m, dst, src, len))
            return;
        if (dst < src)
            for (ulong i = 0; i < len; i++)
                CopyUnit(ref m, dst + i, src + i, 1, 1);
        else if (dst > src)
            for (ulong i = len; i-- > 0;)
                CopyUnit(ref m, dst + i, src + i, 1, 2);
    }

    private static void CopyForwardByWords(ref StringMemory m, ulong d, ulong s, ulong n)
    {
        if (((s ^ d) & (Word - 1)) == 0)
        {
            for (; (s & (Word - 1)) != 0 && n >= 1; s++, d++, n--)
                CopyUnit(ref m, d, s, 1, 1);
            for (; n >= Word; s += Word, d += Word, n -= Word)
                CopyUnit(ref m, d, s, 8, 2);
            if (n == 0)
                return;
        }
        if (((s | d) & 1) == 0)
            for (; n >= 2; s += 2, d += 2, n -= 2)
                CopyUnit(ref m, d, s, 2, 3);
        for (; n >= 1; s++, d++, n--)
            CopyUnit(ref m, d, s, 1, 4);
    }

    private static void CopyBackwardByWords(ref StringMemory m, ulong dst, ulong src, ulong n)
    {
        ulong d = dst + n, s = src + n;
        if (((s ^ d) & (Word - 1)) == 0)
        {
            for (; (s & (Word - 1)) != 0 && n >= 1; n--)
                CopyUnit(ref m, --d, --s, 1, 5);
            for (; n >= Word; n -= Word)
                CopyUnit(ref m, d -= Word, s -= Word, 8, 6);
            if (n == 0)
                return;
        }
        if (((s | d) & 1) == 0)
            for (; n >= 2; n -= 2)
                CopyUnit(ref m, d -= 2, s -= 2, 2, 7);
        for (; n >= 1; n--)
            CopyUnit(ref m, --d, --s, 1, 8);
    }

    private static void CopyUnit(ref StringMemory m, ulong d, ulong s, int size, int site)
    {
        ulong value = m.Load(s, size, site, out ValueShadow shadow);
        m.Store(d, size, value, shadow, site);
    }

    /// <summary>A copy between wholly accessible ranges cannot report anything: move the bytes and their shadow at once.</summary>
    private static bool TryBulkCopy(ref StringMemory m, ulong dst, ulong src, ulong len)
    {
        if (!m.AllAccessible(src, len, write: false) || !m.AllAccessible(dst, len, write: true))
            return false;
        // A wholly defined source makes a wholly defined destination: set it a chunk at a time rather than byte by byte.
        // Its bytes' stale origin tags are dropped (guest code would copy them), which no report can show.
        bool defined = m.Shadow.CheckDefined(src, len, out _) is null;
        // Undefined bytes keep their origins through the unit-by-unit copy, as through Valgrind's replacement.
        if (!defined && m.Shadow.Origins is not null)
            return false;
        Buffer.MemoryCopy((void*)src, (void*)dst, len, len);
        if (defined)
            m.Shadow.MakeDefined(dst, len);
        else
            m.Shadow.CopyRange(src, dst, len);
        return true;
    }
}

/// <summary>Valgrind's overlap test: two non-empty byte ranges that share a byte.</summary>
public static class StringsOverlap
{
    public static bool Overlaps(ulong dst, ulong src, ulong dstLen, ulong srcLen)
    {
        if (dstLen == 0 || srcLen == 0)
            return false;
        ulong dstLast = dst + dstLen - 1, srcLast = src + srcLen - 1;
        return !(dstLast < src || srcLast < dst);
    }
}
