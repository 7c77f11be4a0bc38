using Memcheck.Engine.Core;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Reporting;

/// <summary>
/// Where a tool's shown errors go and what follows each: the text commentary (error, blank line, then
/// --gen-suppressions' suppression or its question), or with --xml=yes an &lt;error&gt; element. Also holds the
/// run's suppressions, which the tool matches its errors against before showing them.
/// </summary>
public sealed class ErrorOutput
{
    public const string Question = "---- Print suppression ? --- [Return/N/n/Y/y/C/c] ---- ";

    private readonly GenSuppressions _generate;
    private readonly Func<int> _readAnswerByte;
    /// <summary>Set by a "C" answer or the end of the input: --gen-suppressions=yes asks no more.</summary>
    private bool _stopAsking;
    /// <summary>The thread of the last error shown as text: one from another is headed "Thread N:".</summary>
    private int _lastThreadShown = 1;

    /// <param name="readAnswerByte">The next byte of the user's answers, -1 at their end (<see cref="Reader"/>); standard input by default.</param>
    public ErrorOutput(Commentary commentary, XmlOutput? xml = null, SuppressionSet? suppressions = null,
        GenSuppressions generate = GenSuppressions.No, Func<int>? readAnswerByte = null)
    {
        Commentary = commentary;
        Xml = xml;
        Suppressions = suppressions ?? SuppressionSet.Empty;
        _generate = generate;
        _readAnswerByte = readAnswerByte ?? Reader(0);
    }

    public Commentary Commentary { get; }
    /// <summary>Null unless --xml=yes, when the text commentary carries almost nothing.</summary>
    public XmlOutput? Xml { get; }
    public SuppressionSet Suppressions { get; }

    /// <summary>
    /// Shows an error (<paramref name="unique"/> numbers it in XML, <paramref name="thread"/> is Valgrind's thread
    /// number: as text, an error from another thread than the last one shown, the main thread at first, is headed
    /// "Thread N:") and then, as --gen-suppressions says, the suppression that would hide it.
    /// </summary>
    public void Show(ErrorReport error, int unique, int thread, Func<GeneratedSuppression> suppression)
    {
        if (Xml is { } xml)
        {
            xml.Error(error, unique, thread, _generate == GenSuppressions.All ? suppression() : null);
            return;
        }
        if (thread != _lastThreadShown) Commentary.Line($"Thread {thread}:");
        _lastThreadShown = thread;
        foreach (string line in error.TextLines()) Commentary.Line(line);
        Commentary.Line();
        OfferSuppression(suppression);
    }

    /// <summary>
    /// Text the client prints through Valgrind (VALGRIND_PRINTF, a replacement's message) and the stack it shows with
    /// it, if any: "**PID** " lines and the stack on the commentary, or with --xml=yes a &lt;clientmsg&gt; of
    /// <paramref name="thread"/>.
    /// </summary>
    public void ClientMessage(string text, StackTrace? backtrace, int thread)
    {
        if (Xml is { } xml)
        {
            xml.ClientMessage(text, backtrace, thread);
            return;
        }
        Commentary.ClientText(text);
        foreach (string line in backtrace?.Render() ?? []) Commentary.Line(line);
    }

    private void OfferSuppression(Func<GeneratedSuppression> suppression)
    {
        if (_generate == GenSuppressions.All)
        {
            Print(suppression());
            return;
        }
        if (_generate != GenSuppressions.Yes || _stopAsking) return;
        Commentary.Line();
        while (true)
        {
            Commentary.Partial(Question);
            switch (Ask())
            {
                case Answer.Yes:
                    Print(suppression());
                    return;
                case Answer.No:
                    return;
                case Answer.Stop:
                    _stopAsking = true;
                    return;
            }
        }
    }

    private void Print(GeneratedSuppression suppression)
    {
        foreach (string line in suppression.Lines()) Commentary.Raw(line);
    }

    private enum Answer { Yes, No, Stop, Again }

    /// <summary>
    /// Valgrind's reading of an answer: Return alone is no; y, n or c followed by Return decide; any other character
    /// asks again without reading further; the end of the input stops the questions, as c does.
    /// </summary>
    private Answer Ask()
    {
        int first = _readAnswerByte();
        if (first < 0) return Answer.Stop;
        if (first == '\n') return Answer.No;
        if ("yYnNcC".IndexOf((char)first) < 0) return Answer.Again;
        int second = _readAnswerByte();
        if (second < 0) return Answer.Stop;
        if (second != '\n') return Answer.Again;
        return first switch
        {
            'y' or 'Y' => Answer.Yes,
            'n' or 'N' => Answer.No,
            _ => Answer.Stop,
        };
    }

    private static readonly int ReadNumber = SyscallTable.Named("read").Number;

    /// <summary>
    /// Reads the answers from a file descriptor (--input-fd) a byte at a time, unbuffered: when it is standard input,
    /// the guest reads the rest of it.
    /// </summary>
    public static unsafe Func<int> Reader(int fd) => () =>
    {
        byte b;
        long n;
        do n = HostSyscall.Invoke(ReadNumber, (ulong)fd, (ulong)&b, 1);
        while (n == -(long)Errno.EINTR);
        return n == 1 ? b : -1;
    };
}
