namespace Memcheck.Engine.Options;

/// <summary>
/// A command line Valgrind would refuse. <see cref="Lines"/> are Valgrind's message lines without the
/// "valgrind: " prefix; the caller prints each with its own program name and exits with status 1.
/// </summary>
public sealed class CommandLineException(IReadOnlyList<string> lines) : Exception(string.Join(Environment.NewLine, lines))
{
    private const string UseHelp = "Use --help for more information or consult the user manual.";

    public IReadOnlyList<string> Lines { get; } = lines;

    public static CommandLineException UnknownOption(string argument) =>
        new([$"Unknown option: {argument}", UseHelp]);

    public static CommandLineException BadOption(string argument, params string[] details) =>
        new([$"Bad option: {argument}", .. details, UseHelp]);

    public static CommandLineException NoProgram() =>
        new(["no program specified", "Use --help for more information."]);

    public static CommandLineException UnknownTool(string tool) =>
        new([$"failed to start tool '{tool}' for platform 'amd64-linux': No such file or directory"]);
}
