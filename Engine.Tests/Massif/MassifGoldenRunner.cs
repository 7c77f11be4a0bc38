using System.Collections.Concurrent;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.MassifTool;

/// <summary>A golden case's run under memcheck --tool=massif: its result, the program it ran and the file it wrote.</summary>
public sealed record MassifGoldenRun(ProcessResult Result, string ProgramPath, string OutputPath);

/// <summary>Builds a massif golden case's fixture as record.sh does and profiles it, once per test run.</summary>
public static class MassifGoldenRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly ConcurrentDictionary<string, Lazy<MassifGoldenRun>> Runs = new();

    public static MassifGoldenRun Run(MassifGoldenCase golden) =>
        Runs.GetOrAdd(golden.Name, _ => new Lazy<MassifGoldenRun>(() => Profile(golden))).Value;

    private static MassifGoldenRun Profile(MassifGoldenCase golden)
    {
        string program = FixtureCompiler.Compile(golden.Source, golden.CompilerFlags);
        string directory = Directory.CreateTempSubdirectory("massif-golden-").FullName;
        string output = Path.Combine(directory, "massif.out");
        var result = EngineRunner.Run(["--tool=massif", .. golden.ToolOptions, $"--massif-out-file={output}"], program, timeout: Timeout);
        return new MassifGoldenRun(result, program, output);
    }
}
