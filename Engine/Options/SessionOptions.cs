namespace Memcheck.Engine;

/// <summary>Everything a run is configured with; the frontend fills it from Valgrind-style options.</summary>
public sealed class SessionOptions
{
    public required string Program { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];
}
