using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Memcheck.Engine.Options;

namespace Memcheck.Engine.Bench;

/// <summary>
/// Whole guest runs under --tool=none, in process (no dotnet start-up): the CPU-bound programs of
/// bench/fixtures, compiled static with gcc -O2 at setup. Translation, dispatch and generated code;
/// compare with bench/compare.sh for the start-up share and Valgrind's times.
/// </summary>
public class ExecutionBenchmarks
{
    private string _program = "";

    [Params("sieve", "hashmix", "qsort_ints", "nbody")]
    public string Fixture { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        string source = Path.Combine(RepositoryRoot(), "bench", "fixtures", Fixture + ".c");
        _program = Path.Combine(Path.GetTempPath(), $"memcheck-bench-{Fixture}-{Environment.ProcessId}");
        using var gcc = Process.Start("gcc", ["-O2", "-static", "-o", _program, source, "-lm"]);
        gcc.WaitForExit();
        if (gcc.ExitCode != 0) throw new InvalidOperationException($"gcc failed on {source}");
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_program);

    [Benchmark]
    public int RunToolNone() => Session.Run(new SessionOptions { Program = _program, Tool = ToolKind.None }, TextWriter.Null).ExitCode;

    /// <summary>The checkout this assembly was built in: the first ancestor holding bench/fixtures.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "bench", "fixtures"))) return dir.FullName;
        throw new DirectoryNotFoundException("no bench/fixtures above " + AppContext.BaseDirectory);
    }
}
