using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.Memcheck.Errors;

namespace Memcheck.Engine.Tests.Reporting;

/// <summary>The suppression file syntax and Valgrind's messages for files it refuses (checked against valgrind 3.19).</summary>
public class SuppressionFileTests
{
    private static List<Suppression> Parse(string text) => SuppressionFile.Parse(text, "test.supp", ErrorKinds.Instance);

    [Test]
    public void ReadsNameKindExtraAndFramesWithTheNamesLine()
    {
        var s = Parse("# comment\n{\n   write padding\n   Memcheck:Param\n   write(buf)\n   fun:write\n   obj:/lib/*.so\n   ...\n   src:main.c:12\n}\n").Single();
        Assert.That((s.Name, s.Kind, s.Extra, s.File, s.Line), Is.EqualTo(("write padding", "Param", "write(buf)", "test.supp", 3)));
        Assert.That(s.Frames.Select(f => f.ToString()), Is.EqualTo(new[] { "fun:write", "obj:/lib/*.so", "...", "src:main.c:12" }));
    }

    [Test]
    public void LinesAreTrimmedAndBlankOrCommentLinesSkippedAnywhere()
    {
        var s = Parse("  {  \n\tname  \n\n # between\n   Memcheck:Addr4   \n   fun:f   \n  }  \n").Single();
        Assert.That((s.Name, s.Kind, s.Frames.Single().Pattern), Is.EqualTo(("name", "Addr4", "f")));
    }

    [Test]
    public void OtherToolsSuppressionsAreSkippedAndAToolListMayNameThisOne()
    {
        var all = Parse("{\n a\n Helgrind:Race\n fun:*\n}\n{\n b\n Helgrind,Memcheck:Cond\n fun:*\n}\n{\n c\n :Addr4\n fun:*\n}\n");
        Assert.That(all.Select(s => s.Name), Is.EqualTo(new[] { "b" }));
    }

    [Test]
    public void LeakKindsAreOptionalAndFishyValueNeedsACall()
    {
        Assert.That(Parse("{\n n\n Memcheck:Leak\n fun:malloc\n}\n").Single().Extra, Is.Null);
        Assert.That(Parse("{\n n\n Memcheck:Leak\n match-leak-kinds:  definite,possible \n ...\n fun:main\n}\n").Single().Extra,
            Is.EqualTo("match-leak-kinds:  definite,possible"));
        Assert.That(Parse("{\n n\n Memcheck:FishyValue\n malloc(size)\n fun:malloc\n}\n").Single().Extra, Is.EqualTo("malloc(size)"));
    }

    [Test]
    public void Value0IsReadAsCond() =>
        Assert.That(Parse("{\n n\n Memcheck:Value0\n fun:f\n}\n").Single().Kind, Is.EqualTo("Cond"));

    [Test]
    public void SourceLinesTakeTheirNumberFromTheLastColon()
    {
        var frames = Parse("{\n n\n Memcheck:Addr4\n src:a.c\n src:b.c:7\n src:c.c:x\n}\n").Single().Frames;
        Assert.That(frames.Select(f => (f.Pattern, f.Line)), Is.EqualTo(new[] { ("a.c", 0), ("b.c", 7), ("c.c", 0) }));
    }

    [TestCase("x\n", 1, "expected '{' or end-of-file")]
    [TestCase("{\n", 1, "unexpected '}'")]
    [TestCase("{\n}\n", 2, "unexpected '}'")]
    [TestCase("{\n n\n", 2, "unexpected end-of-file (expecting tool:suppr)")]
    [TestCase("{\n n\n Memcheck\n fun:f\n}\n", 3, "malformed 'tool1,tool2,...:supp' line")]
    [TestCase("{\n n\n Memcheck:Value64\n fun:f\n}\n", 3, "unknown tool suppression type")]
    [TestCase("{\n n\n Memcheck:Addr4,Helgrind:Race\n fun:f\n}\n", 3, "unknown tool suppression type")]
    [TestCase("{\n n\n Memcheck:Addr4\n fun:f\n", 4, "unexpected end-of-file (when reading stack trace)")]
    [TestCase("{\n n\n Memcheck:Addr4\n}\n", 4, "missing stack trace")]
    [TestCase("{\n n\n Memcheck:Addr4\n ...\n}\n", 5, "suppression must contain at least one location line which is not \"...\"")]
    [TestCase("{\n n\n Memcheck:Leak\n match-leak-kinds: all,definite\n fun:f\n}\n", 4, "bad or missing extra suppression info")]
    [TestCase("{\n n\n Memcheck:Leak\n src:a.c\n}\n", 4, "bad or missing extra suppression info")]
    [TestCase("{\n n\n Memcheck:FishyValue\n malloc\n fun:f\n}\n", 4, "bad or missing extra suppression info")]
    [TestCase("{\n n\n Helgrind:Race\n fun:f\n", 4, "unexpected end-of-file (when skipping suppression)")]
    [TestCase("{\n n\n Memcheck:Addr4\n fun:f\n} x\n", 5, "location should be \"...\", or should start with \"fun:\", \"obj:\", or \"src:\"")]
    public void RefusesWhatValgrindRefuses(string text, int line, string message) =>
        Assert.That(Assert.Throws<SuppressionFileException>(() => Parse(text))!.Lines,
            Is.EqualTo(new[] { $"FATAL: in suppressions file \"test.supp\" near line {line}:", "   " + message, "exiting now." }));

    [Test]
    public void ABadLocationIsAlsoEchoedUnprefixed()
    {
        var refused = Assert.Throws<SuppressionFileException>(() => Parse("{\n n\n Memcheck:Addr4\n foo:main\n}\n"))!;
        Assert.That(refused.Echo, Is.EqualTo(refused.Lines[1].Trim()));
        Assert.That(refused.Lines[^1], Is.EqualTo("exiting now."));
    }

    [Test]
    public void AnUnreadableFileIsNamedAsGiven() =>
        Assert.That(Assert.Throws<SuppressionFileException>(() => SuppressionFile.Read("no/such.supp", ErrorKinds.Instance))!.Lines,
            Is.EqualTo(new[] { "FATAL: can't open suppressions file \"no/such.supp\"" }));
}
