namespace Memcheck.Engine.Core.Redirection;

/// <summary>Valgrind's soname patterns: '*' matches any run of characters, everything else itself.</summary>
internal static class SonamePattern
{
    public static bool Matches(string pattern, string soname) => Matches(pattern.AsSpan(), soname.AsSpan());

    private static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int star = pattern.IndexOf('*');
        if (star < 0) return pattern.SequenceEqual(text);
        if (!text.StartsWith(pattern[..star])) return false;
        var rest = pattern[(star + 1)..];
        for (int at = star; at <= text.Length; at++)
            if (Matches(rest, text[at..])) return true;
        return false;
    }
}
