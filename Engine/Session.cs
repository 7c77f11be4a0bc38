namespace Memcheck.Engine;

/// <summary>Runs one guest program under a tool and returns what happened.</summary>
public static class Session
{
    public static RunResult Run(SessionOptions options) =>
        throw new NotImplementedException("the dispatcher is being written");
}

/// <summary>How the guest ended.</summary>
public sealed record RunResult(int ExitCode, int? FatalSignal);
