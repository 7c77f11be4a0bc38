namespace Memcheck.Engine.DebugInfo;

/// <summary>
/// One frame of a stack trace: the address Valgrind prints (the PC for the innermost frame, the
/// return address minus one for the callers) and what is known about it.
/// </summary>
public sealed record StackFrame(ulong Address, string? Function, string? File, int Line, string? Object)
{
    /// <summary>Valgrind's "at"/"by" line: fn (file:line), else fn (in object), else just fn; ??? without a symbol.</summary>
    public string Render(bool innermost) => $"   {(innermost ? "at" : "by")} {Description}";

    /// <summary>How Valgrind describes the address: "0x4005E6: main (prog.c:10)", "0x...: fn (in /lib/x.so)", "0x...: ???".</summary>
    public string Description
    {
        get
        {
            string where = File is not null ? $" ({System.IO.Path.GetFileName(File)}:{Line})" : Object is not null ? $" (in {Object})" : "";
            return $"0x{Address:X}: {Function ?? "???"}{where}";
        }
    }
}

/// <summary>The frames of one guest stack, innermost first.</summary>
public sealed record StackTrace(IReadOnlyList<StackFrame> Frames)
{
    /// <summary>The report lines, as Valgrind prints a stack under an error or signal message.</summary>
    public IReadOnlyList<string> Render() => [.. Frames.Select((f, i) => f.Render(i == 0))];
}
