using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.MemcheckTool.EndToEnd;

/// <summary>Compiles a memcheck fixture and runs it under the memcheck command, with the chosen backend.</summary>
internal static class MemcheckRunner
{
    public static ProcessResult Run(string fixture, string backend, params string[] options) =>
        EngineRunner.Run([$"--backend={backend}", .. options], FixtureCompiler.Compile(fixture, "-g", "-O0"),
            timeout: TimeSpan.FromMinutes(2));

    /// <summary>The commentary lines without their ==PID== prefix.</summary>
    public static List<string> Commentary(ProcessResult result) =>
        [.. result.Stderr.Split('\n').Where(l => l.StartsWith("==")).Select(l => l[(l.IndexOf("== ", 2, StringComparison.Ordinal) + 3)..])];
}
