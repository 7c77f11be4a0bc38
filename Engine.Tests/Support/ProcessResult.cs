namespace Memcheck.Engine.Tests.Support;

/// <summary>What a finished (or killed) child process left behind.</summary>
/// <param name="ExitCode">The exit status; 128+N when a signal N ended it (the shell's convention, which .NET follows).</param>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    public override string ToString() =>
        $"exit {ExitCode}{(TimedOut ? " (timed out)" : "")}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
