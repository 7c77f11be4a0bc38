using System.Text;

namespace Memcheck.Engine.Guest;

/// <summary>
/// The "#!" line of a script, which execve (and Valgrind) runs by loading the interpreter it names instead: that
/// interpreter, then the line's one optional argument, then the script's path, then the script's own arguments.
/// </summary>
public sealed record ScriptHeader(string Interpreter, string? Argument)
{
    /// <summary>How much of the file the kernel reads for the line (BINPRM_BUF_SIZE).</summary>
    private const int LineLimit = 256;

    /// <summary>The script's header; null when the file does not start with "#!".</summary>
    public static ScriptHeader? Read(string path)
    {
        var start = new byte[LineLimit];
        int length;
        using (var file = File.OpenRead(path)) length = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (length < 2 || start[0] != '#' || start[1] != '!') return null;
        int end = Array.IndexOf(start, (byte)'\n', 0, length);
        string line = Encoding.UTF8.GetString(start, 2, (end < 0 ? length : end) - 2).Trim(' ', '\t');
        int space = line.IndexOfAny([' ', '\t']);
        if (space < 0) return new ScriptHeader(line, null);
        string argument = line[space..].Trim(' ', '\t');
        return new ScriptHeader(line[..space], argument.Length > 0 ? argument : null);
    }

    /// <summary>The interpreter's argv: its name, the argument, the script, then the script's arguments after its name.</summary>
    public IReadOnlyList<string> Argv(string script, IReadOnlyList<string> scriptArgv) =>
        [Interpreter, .. Argument is null ? Array.Empty<string>() : [Argument], script, .. scriptArgv.Skip(1)];
}
