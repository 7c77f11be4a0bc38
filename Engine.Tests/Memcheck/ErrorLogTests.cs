using Memcheck.Engine.Core;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tools.Memcheck.Errors;

namespace Memcheck.Engine.Tests.MemcheckTool;

/// <summary>How the error log prints errors: an error from another thread than the last one printed is headed by it.</summary>
public class ErrorLogTests
{
    private static MemcheckError At(ulong address, int thread) =>
        new(MemcheckErrorKind.UninitialisedCondition, "Conditional jump", new StackTrace([new StackFrame(address, "f", null, 0, null)]), null)
        {
            Thread = thread,
        };

    [Test]
    public void AnErrorFromAnotherThreadIsHeadedByItsNumberOnce()
    {
        var text = new StringWriter();
        var log = new ErrorLog(new Commentary(text, 7), errorLimit: true);
        log.Report(At(0x10, thread: 1), "cond");
        log.Report(At(0x20, thread: 2), "cond");
        log.Report(At(0x30, thread: 2), "cond");
        log.Report(At(0x40, thread: 1), "cond");
        var headings = text.ToString().Split('\n').Where(l => l.Contains("Thread"));
        Assert.That(headings, Is.EqualTo(new[] { "==7== Thread 2:", "==7== Thread 1:" }));
    }
}
