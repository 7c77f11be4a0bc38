using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Errors;

namespace Memcheck.Engine.Tests.Reporting;

/// <summary>How a suppression's patterns meet an error's stack, and which of several suppressions is credited.</summary>
public class SuppressionMatchingTests
{
    private static readonly StackFrame Free = new(0x4844000, "free", null, 0, "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so");
    private static readonly StackFrame Delete = new(0x4845000, "operator delete(void*)", null, 0, "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so") { SymbolName = "_ZdlPv" };
    private static readonly StackFrame Drop = new(0x109160, "drop", "/src/double_free.c", 4, "/build/double_free");
    private static readonly StackFrame Main = new(0x109191, "main", "/src/double_free.c", 10, "/build/double_free");
    private static readonly StackFrame Unknown = new(0x4852000, null, null, 0, null);

    private static Suppression Supp(params string[] frames) =>
        SuppressionFile.Parse($"{{\n s\n Memcheck:Free\n {string.Join("\n ", frames)}\n}}\n", "t.supp", ErrorKinds.Instance).Single();

    [TestCase("main", "main", true)]
    [TestCase("ma?n", "main", true)]
    [TestCase("m*", "main", true)]
    [TestCase("*", "", true)]
    [TestCase("**n", "main", true)]
    [TestCase("*ai", "main", false)]
    [TestCase("Main", "main", false)]
    [TestCase("ma[i]n", "main", false)]
    [TestCase(@"f\?", "f?", true)]
    [TestCase(@"f\?", "f2", false)]
    [TestCase(@"f\*", "f*", true)]
    [TestCase(@"f\*", "fx", false)]
    [TestCase(@"f\2", @"f\2", true)]
    [TestCase(@"f\2", "f2", false)]
    [TestCase("*lib*/libc.so.*", "/usr/lib/x86_64-linux-gnu/libc.so.6", true)]
    public void WildcardsAreStarQuestionMarkAndBackslash(string pattern, string text, bool matches) =>
        Assert.That(Wildcard.Matches(pattern, text), Is.EqualTo(matches));

    [Test]
    public void FramesMatchInOrderFromTheInnermost()
    {
        StackFrame[] stack = [Free, Drop, Main];
        Assert.That(Supp("fun:free", "fun:drop", "fun:main").MatchesStack(stack, 12), Is.True);
        Assert.That(Supp("fun:free", "fun:drop").MatchesStack(stack, 12), Is.True, "a shorter suppression matches the top");
        Assert.That(Supp("fun:drop", "fun:main").MatchesStack(stack, 12), Is.False, "the first pattern is the innermost frame");
        Assert.That(Supp("fun:free", "fun:drop", "fun:main", "fun:*").MatchesStack(stack, 12), Is.False, "past the stack's end");
    }

    [Test]
    public void ThreeDotsStandForAnyRunOfFramesNoneIncluded()
    {
        StackFrame[] stack = [Free, Drop, Main];
        Assert.That(Supp("...", "fun:main").MatchesStack(stack, 12), Is.True);
        Assert.That(Supp("fun:free", "...", "fun:drop").MatchesStack(stack, 12), Is.True);
        Assert.That(Supp("...", "fun:drop", "...").MatchesStack(stack, 12), Is.True);
        Assert.That(Supp("fun:free", "...", "...", "fun:main").MatchesStack(stack, 12), Is.True);
        Assert.That(Supp("...", "fun:nothing", "...").MatchesStack(stack, 12), Is.False);
    }

    [Test]
    public void OnlyAsManyPatternsAsNumCallersCount()
    {
        StackFrame[] stack = [Free, Drop, Main];
        var longer = Supp("fun:free", "fun:drop", "fun:main", "fun:nothing");
        Assert.That(longer.MatchesStack(stack, 12), Is.False);
        Assert.That(longer.MatchesStack(stack, 3), Is.True);
    }

    [Test]
    public void FunctionsMatchBySymbolNameObjectsByPathSourcesByFileNameAndLine()
    {
        Assert.That(Supp("fun:_ZdlPv").MatchesStack([Delete], 12), Is.True);
        Assert.That(Supp("fun:operator delete*").MatchesStack([Delete], 12), Is.False, "C++ names are matched mangled");
        Assert.That(Supp("obj:*/vgpreload_memcheck-*.so").MatchesStack([Free], 12), Is.True);
        Assert.That(Supp("src:double_free.c:4").MatchesStack([Drop], 12), Is.True);
        Assert.That(Supp("src:double_free.c").MatchesStack([Main], 12), Is.True, "no line is any line");
        Assert.That(Supp("src:/src/double_free.c:4").MatchesStack([Drop], 12), Is.False, "the file name, not its path");
        Assert.That(Supp("src:double_free.c:5").MatchesStack([Drop], 12), Is.False);
        Assert.That(Supp("obj:*").MatchesStack([Unknown], 12), Is.True);
        Assert.That(Supp("fun:*").MatchesStack([Unknown], 12), Is.True);
        Assert.That(Supp("src:*").MatchesStack([Unknown], 12), Is.False, "a frame without a file has no source to match");
    }

    [Test]
    public void LaterFilesAndLaterSuppressionsAreTriedFirstAndAMatchMovesToTheFront()
    {
        var first = SuppressionFile.Parse("{\n P\n Memcheck:Free\n fun:*\n}\n{\n Q\n Memcheck:Free\n fun:drop\n}\n", "a.supp", ErrorKinds.Instance);
        var set = new SuppressionSet(first);
        Assert.That(set.Match("Free", _ => true, [Drop], 12)!.Name, Is.EqualTo("Q"), "Q was read last");
        Assert.That(set.Match("Free", _ => true, [Main], 12)!.Name, Is.EqualTo("P"));
        Assert.That(set.Match("Free", _ => true, [Drop], 12)!.Name, Is.EqualTo("P"), "P, matched last, is now tried first");
        set.Count(set.Used[0].Suppression);
        Assert.That(set.UsedLines(), Is.EqualTo(new[]
        {
            "used_suppression:      3 P a.supp:2",
            "used_suppression:      1 Q a.supp:7",
        }));
    }

    [Test]
    public void KindAndExtraLineMustAgree()
    {
        var set = new SuppressionSet(SuppressionFile.Parse("{\n w\n Memcheck:Param\n write(buf)\n fun:*\n}\n", "p.supp", ErrorKinds.Instance));
        Assert.That(set.Match("Free", _ => true, [Main], 12), Is.Null);
        Assert.That(set.Match("Param", extra => ErrorKinds.ExtraMatches(extra, "read(buf)"), [Main], 12), Is.Null);
        Assert.That(set.Match("Param", extra => ErrorKinds.ExtraMatches(extra, "write(buf)"), [Main], 12)!.Name, Is.EqualTo("w"));
    }

    [TestCase(null, LeakState.IndirectlyLost, true)]
    [TestCase("match-leak-kinds: definite,indirect", LeakState.IndirectlyLost, true)]
    [TestCase("match-leak-kinds: definite", LeakState.PossiblyLost, false)]
    [TestCase("match-leak-kinds: all", LeakState.StillReachable, true)]
    [TestCase("match-leak-kinds: none", LeakState.DefinitelyLost, false)]
    public void LeakSuppressionsMatchTheirLeakKinds(string? extra, LeakState state, bool matches) =>
        Assert.That(ErrorKinds.LeakKindsMatch(extra, state), Is.EqualTo(matches));
}
