namespace Memcheck.Engine.Tests.Support;

/// <summary>
/// Runs the built <c>memcheck</c> command (the Frontend project's apphost, copied next to the test
/// assembly by the project reference) on a guest program.
/// </summary>
public static class EngineRunner
{
    /// <summary>The memcheck executable; MEMCHECK_BIN overrides the copy beside the tests.</summary>
    public static string Executable =>
        Environment.GetEnvironmentVariable("MEMCHECK_BIN") is { Length: > 0 } overridden
            ? overridden
            : Path.Combine(AppContext.BaseDirectory, "memcheck");

    /// <summary>Runs <c>memcheck options... program args...</c>.</summary>
    public static ProcessResult Run(IEnumerable<string> options, string program, IEnumerable<string>? args = null,
        string? stdin = null, TimeSpan? timeout = null) =>
        NativeRunner.Run(Executable, [.. options, program, .. args ?? []], stdin, timeout);

    /// <summary>Runs memcheck with a raw command line, for tests of the command line itself.</summary>
    public static ProcessResult RunRaw(params string[] commandLine) => NativeRunner.Run(Executable, commandLine);
}
