using System.Text;

namespace Memcheck.Engine.Core;

/// <summary>
/// The engine's own output ("commentary" in Valgrind's terms): every line prefixed with ==PID==,
/// written to stderr or the --log-file, kept apart from the guest's stdout and stderr.
/// </summary>
public sealed class Commentary(TextWriter writer, int pid, bool quiet = false)
{
    private readonly StringBuilder _clientLine = new();

    /// <summary>The process the lines are about: a forked child's commentary carries its own pid, as Valgrind's does.</summary>
    public int Pid { get; set; } = pid;
    public bool Quiet { get; } = quiet;

    public void Line(string text = "")
    {
        writer.Write($"=={Pid}== {text}\n");
        writer.Flush();
    }

    /// <summary>A ==PID== prefixed text the user answers on the same line (--gen-suppressions=yes's question).</summary>
    public void Partial(string text)
    {
        writer.Write($"=={Pid}== {text}");
        writer.Flush();
    }

    /// <summary>A line of the verbose commentary (-v, -s), which Valgrind prefixes --PID-- instead.</summary>
    public void Verbose(string text = "")
    {
        writer.Write($"--{Pid}-- {text}\n");
        writer.Flush();
    }

    /// <summary>A line without the ==PID== prefix (e.g. the "vex amd64->IR:" diagnostics).</summary>
    public void Raw(string text)
    {
        writer.Write(text + "\n");
        writer.Flush();
    }

    /// <summary>
    /// Text the guest prints through Valgrind (VALGRIND_PRINTF): each complete line as "**PID** line"; a line not yet
    /// ended waits for the text that ends it.
    /// </summary>
    public void ClientText(string text)
    {
        _clientLine.Append(text);
        string buffered = _clientLine.ToString();
        int end = buffered.LastIndexOf('\n');
        if (end < 0) return;
        foreach (string line in buffered[..end].Split('\n')) writer.Write($"**{Pid}** {line}\n");
        writer.Flush();
        _clientLine.Clear().Append(buffered[(end + 1)..]);
    }
}
