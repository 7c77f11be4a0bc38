using Process = System.Diagnostics.Process;
using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Reporting;

/// <summary>Text inside XML elements as Valgrind escapes it: only '&amp;', '&lt;' and '&gt;'.</summary>
public static class XmlText
{
    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}

/// <summary>
/// Valgrind's XML output, protocol version 4, laid out byte for byte as Valgrind 3.19 writes it (blank lines
/// included): the preamble and arguments, RUNNING and FINISHED statuses, one &lt;error&gt; per shown error, the
/// client's messages, a fatal signal, and the error and suppression counts. Tool-neutral: a tool hands in its errors as <see cref="ErrorReport"/>s.
/// </summary>
public sealed class XmlOutput(TextWriter writer)
{
    /// <summary>When the engine started, for the statuses' elapsed times.</summary>
    private readonly DateTime _start = Process.GetCurrentProcess().StartTime;

    /// <param name="userComment">--xml-user-comment, written as it is.</param>
    public void Begin(string tool, IReadOnlyList<string> preamble, int pid, int ppid, string? userComment, string engine,
        IReadOnlyList<string> engineArguments, IReadOnlyList<string> argv)
    {
        Write("<?xml version=\"1.0\"?>\n\n<valgrindoutput>\n\n<protocolversion>4</protocolversion>\n");
        Write($"<protocoltool>{tool}</protocoltool>\n\n<preamble>\n");
        foreach (string line in preamble) Write($"  <line>{XmlText.Escape(line)}</line>\n");
        Write($"</preamble>\n\n<pid>{pid}</pid>\n<ppid>{ppid}</ppid>\n<tool>{tool}</tool>\n");
        if (userComment is not null) Write($"<usercomment>{userComment}</usercomment>\n");
        Write("\n<args>\n  <vargv>\n");
        Write($"    <exe>{XmlText.Escape(engine)}</exe>\n");
        foreach (string argument in engineArguments) Write($"    <arg>{XmlText.Escape(argument)}</arg>\n");
        Write($"  </vargv>\n  <argv>\n    <exe>{XmlText.Escape(argv[0])}</exe>\n");
        foreach (string argument in argv.Skip(1)) Write($"    <arg>{XmlText.Escape(argument)}</arg>\n");
        Write("  </argv>\n</args>\n\n");
        Status("RUNNING");
    }

    /// <summary>The guest has ended; what follows are the tool's final reports (leaks) and the counts.</summary>
    public void Finished()
    {
        Write("\n");
        Status("FINISHED");
    }

    public void Error(ErrorReport error, int unique, int thread, GeneratedSuppression? suppression)
    {
        Write($"<error>\n  <unique>0x{unique:x}</unique>\n  <tid>{thread}</tid>\n  <kind>{error.XmlKind}</kind>\n");
        if (error.Leaked is { } leaked)
            Write($"  <xwhat>\n    <text>{XmlText.Escape(error.What)}</text>\n    <leakedbytes>{leaked.Bytes}</leakedbytes>\n" +
                $"    <leakedblocks>{leaked.Blocks}</leakedblocks>\n  </xwhat>\n");
        else
            Write(string.Format(error.WhatLayout, XmlText.Escape(error.What)));
        Stack(error.Stack);
        foreach (AuxLine aux in error.Details)
        {
            Write($"  <auxwhat>{XmlText.Escape(aux.Text)}</auxwhat>\n");
            if (aux.Stack is not null) Stack(aux.Stack);
        }
        suppression?.WriteXml(writer);
        Write("</error>\n\n");
        // Valgrind writes a generated suppression a second time, after the error.
        suppression?.WriteXml(writer);
        writer.Flush();
    }

    /// <summary>A client's message, its newline (if any) inside the text as Valgrind leaves it, and its stack.</summary>
    public void ClientMessage(string text, StackTrace? stack, int thread)
    {
        Write($"<clientmsg>\n  <tid>{thread}</tid>\n  <text>{XmlText.Escape(text)}  </text>\n");
        if (stack is not null) Stack(stack);
        Write("</clientmsg>\n");
        writer.Flush();
    }

    /// <param name="code">si_code; <paramref name="evt"/> its description, null for a signal sent rather than caused.</param>
    public void FatalSignal(int thread, int signal, string name, int code, string? evt, ulong address, StackTrace stack)
    {
        Write($"<fatal_signal>\n  <tid>{thread}</tid>\n  <signo>{signal}</signo>\n  <signame>{name}</signame>\n  <sicode>{code}</sicode>\n");
        if (evt is not null) Write($"  <event>{evt}</event>\n  <siaddr>0x{address:X}</siaddr>\n");
        Stack(stack);
        Write("</fatal_signal>\n\n");
    }

    /// <summary>How often each shown error occurred, most recently seen first; <paramref name="unique"/> ties it to its &lt;error&gt;.</summary>
    public void ErrorCounts(IEnumerable<(int Count, int Unique)> counts)
    {
        Write("<errorcounts>\n");
        foreach (var (count, unique) in counts) Write($"  <pair>\n    <count>{count}</count>\n    <unique>0x{unique:x}</unique>\n  </pair>\n");
        Write("</errorcounts>\n\n");
    }

    public void SuppressionCounts(IEnumerable<SuppressionUse> used)
    {
        Write("<suppcounts>\n");
        foreach (SuppressionUse use in used)
            Write($"  <pair>\n    <count>{use.Count}</count>\n    <name>{XmlText.Escape(use.Suppression.Name)}</name>\n  </pair>\n");
        Write("</suppcounts>\n\n");
    }

    /// <summary>Closes the output; a run refused before the guest started (a bad suppression file) with one newline less, as Valgrind's.</summary>
    public void End(bool beforeGuest = false)
    {
        Write(beforeGuest ? "</valgrindoutput>\n" : "</valgrindoutput>\n\n");
        writer.Flush();
    }

    private void Status(string state)
    {
        TimeSpan t = DateTime.Now - _start;
        Write($"<status>\n  <state>{state}</state>\n  <time>{t.Days:00}:{t.Hours:00}:{t.Minutes:00}:{t.Seconds:00}.{t.Milliseconds:000} </time>\n</status>\n\n");
        writer.Flush();
    }

    private void Stack(StackTrace stack)
    {
        Write("  <stack>\n");
        foreach (StackFrame frame in stack.Frames)
        {
            Write($"    <frame>\n      <ip>0x{frame.Address:X}</ip>\n");
            if (frame.Object is { } obj) Write($"      <obj>{XmlText.Escape(obj)}</obj>\n");
            if (frame.Function is { } fn) Write($"      <fn>{XmlText.Escape(fn)}</fn>\n");
            if (frame.File is { } file)
            {
                // As the line table names it: "./io/../sysdeps/unix/sysv/linux" stays as it is.
                int slash = file.LastIndexOf('/');
                if (slash > 0) Write($"      <dir>{XmlText.Escape(file[..slash])}</dir>\n");
                Write($"      <file>{XmlText.Escape(file[(slash + 1)..])}</file>\n      <line>{frame.Line}</line>\n");
            }
            Write("    </frame>\n");
        }
        Write("  </stack>\n");
    }

    private void Write(string text) => writer.Write(text);
}
