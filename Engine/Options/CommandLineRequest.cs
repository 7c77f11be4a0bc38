namespace Memcheck.Engine.Options;

/// <summary>What a command line asks for: a run, the usage text, or the version line.</summary>
public abstract record CommandLineRequest
{
    private CommandLineRequest() { }

    public sealed record Run(SessionOptions Options) : CommandLineRequest;

    /// <summary>--help, -h or --help-debug (<paramref name="Debug"/>); the usage text lists the options of <paramref name="Tool"/>.</summary>
    public sealed record Help(ToolKind Tool, bool Debug = false) : CommandLineRequest;

    public sealed record Version : CommandLineRequest;
}
