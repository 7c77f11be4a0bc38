using Memcheck.Engine.Core;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Tests.Reporting;

/// <summary>An error shown as text from another thread than the last one shown is headed by that thread, as Valgrind heads it.</summary>
public class ErrorOutputThreadTests
{
    private static readonly ErrorReport Error =
        new("UninitCondition", "Conditional jump", new StackTrace([new StackFrame(0x10, "f", null, 0, null)]), []);

    [Test]
    public void AnErrorFromAnotherThreadIsHeadedByItsNumberOnce()
    {
        var log = new StringWriter();
        var output = new ErrorOutput(new Commentary(log, 7));
        foreach (int thread in (int[])[1, 2, 2, 1]) output.Show(Error, 0, thread, () => throw new AssertionException("no suppression asked for"));
        var headings = log.ToString().Split('\n').Where(l => l.Contains("Thread"));
        Assert.That(headings, Is.EqualTo(new[] { "==7== Thread 2:", "==7== Thread 1:" }));
    }
}
