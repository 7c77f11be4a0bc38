namespace Memcheck.Engine.DebugInfo;

/// <summary>
/// One frame of a stack trace: the address Valgrind prints (the PC for the innermost frame, the
/// return address minus one for the callers) and what is known about it.
/// </summary>
public sealed record StackFrame(ulong Address, string? Function, string? File, int Line, string? Object)
{
    private readonly string? _symbolName;

    /// <summary>
    /// The name suppressions match and --gen-suppressions prints: the symbol as the object names it (mangled, for
    /// C++), where it differs from the demangled <see cref="Function"/>; otherwise the function's name.
    /// </summary>
    public string? SymbolName
    {
        get => _symbolName ?? Function;
        init => _symbolName = value == Function ? null : value;
    }

    /// <summary>The frame under another function name, the symbol name going with it.</summary>
    public StackFrame Renamed(string function) => this with { Function = function, SymbolName = null };

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
