using System.Text.RegularExpressions;
using Memcheck.Engine.Tests.Support;
using Memcheck.Engine.Tools.Memcheck.Replacements;

namespace Memcheck.Engine.Tests.MemcheckTool.Strings;

/// <summary>The redirect table: Valgrind's list for amd64, one entry per object and symbol, helpers named as their frames show.</summary>
public partial class StringsTableTests
{
    [Test]
    public void EachObjectAndSymbolIsReplacedOnce()
    {
        var duplicates = StringsTable.Entries.GroupBy(e => (e.SonamePattern, e.Symbol)).Where(g => g.Count() > 1).Select(g => g.Key);
        Assert.That(duplicates, Is.Empty);
    }

    [Test]
    public void HelpersAreNamedAsValgrindsFramesShowThem()
    {
        var helpers = StringsTable.Replacements().Where(r => r.SonamePattern == "libc.so*").ToDictionary(r => r.Symbol, r => r.Helper);
        Assert.That(helpers["memcpy"].Name, Is.EqualTo("memmove"));
        Assert.That(helpers["__strlen_sse2"].Name, Is.EqualTo("__strlen_sse2"));
        Assert.That(helpers["rindex"].Name, Is.EqualTo("rindex"));
        Assert.That(helpers["bcmp"].Name, Is.EqualTo("bcmp"));
    }

    [TestCase("strlen", 1)]
    [TestCase("strchr", 2)]
    [TestCase("memset", 3)]
    [TestCase("__memcpy_chk", 4)]
    [TestCase("__strcpy_chk", 3)]
    public void HelpersTakeTheArgumentsTheirFunctionTakes(string symbol, int argCount)
    {
        var helper = StringsTable.Replacements().Single(r => r.SonamePattern == "libc.so*" && r.Symbol == symbol).Helper;
        Assert.That(helper.ArgCount, Is.EqualTo(argCount));
        Assert.That(helper.IsPure, Is.False);
    }

    /// <summary>
    /// Valgrind's string redirections (tags 2000-2999 in its preload) for the objects an amd64 program has, read from
    /// the installed valgrind's own trace; memcpy@GLIBC_2.2.5 is the one that cannot be told apart, and memcpy@@GLIBC_2.14
    /// runs memmove's replacement on the guest's CPU (see the table).
    /// </summary>
    [Test, Category("Slow")]
    public void EveryStringFunctionValgrindRedirectsOnAmd64IsInTheTable()
    {
        if (!File.Exists("/usr/bin/valgrind"))
            Assert.Ignore("valgrind is not installed");
        ProcessResult run = NativeRunner.Run("/usr/bin/valgrind", ["--trace-redir=yes", "/bin/true"]);
        string preload = run.Stderr.Split("TOPSPECS of soname NONE filename /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so")[1]
            .Split("TOPSPECS of soname NONE filename /usr/libexec/valgrind/vgpreload_core")[0];
        var valgrinds = SpecLine().Matches(preload)
            .Where(m => m.Groups["tag"].Value.StartsWith('2') && m.Groups["soname"].Value is "libc.so*" or "ld-linux-x86-64.so.2" or "NONE")
            .Select(m => (Soname: m.Groups["soname"].Value, Symbol: m.Groups["symbol"].Value))
            .Where(s => s.Symbol is not ("memcpy@GLIBC_2.2.5" or "memcpy@@GLIBC_2.14"))
            .ToList();
        var ours = StringsTable.Entries.Select(e => (e.SonamePattern, e.Name)).Concat(StringsTable.Entries.Select(e => (e.SonamePattern, e.Symbol))).ToHashSet();

        Assert.That(valgrinds, Has.Count.GreaterThan(90));
        Assert.That(valgrinds.Where(s => !ours.Contains(s)), Is.Empty);
    }

    [GeneratedRegex(@"^--\d+--\s+(?<soname>\S+)\s+(?<symbol>\S+)\s+RL-> \((?<tag>\d{4})\.\d\)", RegexOptions.Multiline)]
    private static partial Regex SpecLine();
}
