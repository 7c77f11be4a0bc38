using Memcheck.Engine.Core.Redirection;

namespace Memcheck.Engine.Tests.Core;

/// <summary>Soname patterns match as Valgrind's do: '*' is any run of characters, the rest literal.</summary>
public class SonamePatternTests
{
    [TestCase("libc.so*", "libc.so.6", true)]
    [TestCase("libc.so*", "libc.so", true)]
    [TestCase("libc.so*", "libcrypt.so.1", false)]
    [TestCase("libstdc++*", "libstdc++.so.6", true)]
    [TestCase("ld-linux-x86-64.so.2", "ld-linux-x86-64.so.2", true)]
    [TestCase("ld-linux-x86-64.so.2", "ld-linux-x86-64.so.22", false)]
    [TestCase("NONE", "NONE", true)]
    [TestCase("*lib*so*", "libfoo.so.1", true)]
    [TestCase("lib*.so", "libfoo.so.1", false)]
    public void MatchesLikeValgrind(string pattern, string soname, bool matches) =>
        Assert.That(SonamePattern.Matches(pattern, soname), Is.EqualTo(matches));
}
