namespace Memcheck.Engine.Reporting;

/// <summary>
/// The patterns of suppression files: '*' matches any run of characters (none included), '?' any one character, and
/// a backslash makes the '*', '?' or '\' after it literal. Everything else, '[' included, is literal and compared
/// case-sensitively.
/// </summary>
public static class Wildcard
{
    public static bool Matches(string pattern, string text) => Matches(pattern.AsSpan(), text.AsSpan());

    private static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        // Greedy with one backtrack point: the last '*' seen and where in the text it was tried last.
        int p = 0, t = 0, star = -1, starText = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                starText = t;
                continue;
            }
            if (p < pattern.Length && MatchesOne(pattern, ref p, text[t]))
            {
                t++;
                continue;
            }
            if (star < 0) return false;
            p = star + 1;
            t = ++starText;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }

    /// <summary>Whether the pattern element at <paramref name="p"/> matches <paramref name="c"/>; on success p moves past it.</summary>
    private static bool MatchesOne(ReadOnlySpan<char> pattern, ref int p, char c)
    {
        char expected = pattern[p];
        int length = 1;
        if (expected == '\\' && p + 1 < pattern.Length && pattern[p + 1] is '*' or '?' or '\\')
        {
            expected = pattern[p + 1];
            length = 2;
        }
        else if (expected == '?')
        {
            p++;
            return true;
        }
        if (expected != c) return false;
        p += length;
        return true;
    }
}
