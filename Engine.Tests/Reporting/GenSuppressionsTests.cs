using Memcheck.Engine.Core;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Tests.Reporting;

/// <summary>
/// --gen-suppressions: the suppression written for an error, and how --gen-suppressions=yes reads the user's
/// answers (valgrind 3.19 fed the same input through a pipe).
/// </summary>
public class GenSuppressionsTests
{
    private static readonly StackTrace Stack = new(
    [
        new StackFrame(0x484499B, "operator delete(void*, unsigned long)", null, 0, "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so")
            { SymbolName = "_ZdlPvm" },
        new StackFrame(0x4852000, null, null, 0, "/tmp/stripped"),
        new StackFrame(0x4853000, null, null, 0, null),
        new StackFrame(0x10917E, "main", "/src/malloc_delete.cpp", 8, "/tmp/malloc_delete"),
    ]);

    private static readonly ErrorReport Error = new("MismatchedFree", "Mismatched free() / delete / delete []", Stack, []);

    [Test]
    public void FramesAreWrittenByMangledNameElseObjectElseStar() =>
        Assert.That(new GeneratedSuppression("Memcheck", "Param", "write(buf)", Stack).Lines(), Is.EqualTo(new[]
        {
            "{", "   <insert_a_suppression_name_here>", "   Memcheck:Param", "   write(buf)",
            "   fun:_ZdlPvm", "   obj:/tmp/stripped", "   obj:*", "   fun:main", "}",
        }));

    [Test]
    public void AllPrintsTheSuppressionUnprefixedAfterTheErrorsBlankLine()
    {
        var log = new StringWriter();
        var output = new ErrorOutput(new Commentary(log, 7), generate: GenSuppressions.All);
        output.Show(Error, 0, 1, Suggestion);
        Assert.That(log.ToString(), Does.EndWith("==7== \n{\n   <insert_a_suppression_name_here>\n   Memcheck:Free\n   fun:_ZdlPvm\n"
            + "   obj:/tmp/stripped\n   obj:*\n   fun:main\n}\n"));
    }

    /// <summary>Which of three errors got their suppression printed, and how often each was asked about.</summary>
    [TestCase("y\nn\nY\n", "y-y", "1,1,1")]
    [TestCase("\n\n\n", "---", "1,1,1")]
    [TestCase("yes\n\n\n", "---", "3,1,1")]
    [TestCase("x\ny\nn\n", "-y-", "2,1,1")]
    [TestCase("ny\n\nc\ny\n", "---", "2,1,1")]
    [TestCase("y\n", "y--", "1,1,0")]
    [TestCase("y", "---", "1,0,0")]
    [TestCase("", "---", "1,0,0")]
    public void YesAsksAndReadsAnswersAsValgrindDoes(string input, string printed, string questions)
    {
        var log = new StringWriter();
        int next = 0;
        var output = new ErrorOutput(new Commentary(log, 7), generate: GenSuppressions.Yes,
            readAnswerByte: () => next < input.Length ? input[next++] : -1);
        var shown = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            int before = log.ToString().Length;
            output.Show(Error, i, 1, Suggestion);
            string text = log.ToString()[before..];
            shown.Add($"{(text.Contains("Memcheck:Free") ? 'y' : '-')}{Count(text, ErrorOutput.Question)}");
        }
        Assert.That(string.Concat(shown.Select(s => s[0])), Is.EqualTo(printed));
        Assert.That(string.Join(',', shown.Select(s => s[1..])), Is.EqualTo(questions));
    }

    [Test]
    public void TheQuestionFollowsABlankLineAndTakesNoNewline()
    {
        var log = new StringWriter();
        var output = new ErrorOutput(new Commentary(log, 7), generate: GenSuppressions.Yes, readAnswerByte: () => '\n');
        output.Show(Error, 0, 1, Suggestion);
        Assert.That(log.ToString(), Does.EndWith("==7== \n==7== \n==7== ---- Print suppression ? --- [Return/N/n/Y/y/C/c] ---- "));
    }

    private static GeneratedSuppression Suggestion() => new("Memcheck", "Free", null, Stack);

    private static int Count(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
