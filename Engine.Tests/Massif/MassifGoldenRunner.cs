using System.Collections.Concurrent;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.MassifTool;

/// <summary>
/// A golden case's run under memcheck --tool=massif: its result, the built program (null for a script or an installed
/// program) and the file it wrote.
/// </summary>
public sealed record MassifGoldenRun(ProcessResult Result, string? ProgramPath, string OutputPath)
{
    /// <summary>The run's output in golden form: paths replaced as record.sh replaces them, addresses as the normaliser does.</summary>
    public List<string> Normalise(string text) => MassifFileNormaliser.Normalise(text,
    [
        (OutputPath, "OUTFILE"),
        (FixtureCompiler.FixturesDirectory + "/", "FIXTURES/"),
        .. ProgramPath is null ? [] : new[] { (ProgramPath, "PROGRAM") },
    ]);
}

/// <summary>Builds a massif golden case's program as record.sh does and profiles it, once per test run.</summary>
public static class MassifGoldenRunner
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private static readonly ConcurrentDictionary<string, Lazy<MassifGoldenRun>> Runs = new();

    public static MassifGoldenRun Run(MassifGoldenCase golden) =>
        Runs.GetOrAdd(golden.Name, _ => new Lazy<MassifGoldenRun>(() => Profile(golden))).Value;

    private static MassifGoldenRun Profile(MassifGoldenCase golden)
    {
        string directory = Directory.CreateTempSubdirectory("massif-golden-").FullName;
        string output = Path.Combine(directory, "massif.out");
        string? program = null;
        string[] command;
        if (golden.IsInstalled)
            command = [golden.Source];
        else if (golden.IsPython)
        {
            string script = Path.GetFileName(golden.Source);
            File.Copy(Path.Combine(FixtureCompiler.FixturesDirectory, golden.Source), Path.Combine(directory, script));
            command = ["/usr/bin/python3", script];
        }
        else
            command = [program = FixtureCompiler.Compile(golden.Source, golden.CompilerFlags)];
        string[] arguments = [.. golden.Arguments.Select(a => Path.Combine(FixtureCompiler.FixturesDirectory, a))];
        // The shell changes into the run's directory (a script is run by a relative name, as record.sh runs it).
        var result = NativeRunner.Run("/bin/sh",
            ["-c", "cd \"$0\" && exec \"$@\"", directory, EngineRunner.Executable, "--tool=massif", .. golden.ToolOptions,
                $"--massif-out-file={output}", .. command, .. arguments],
            timeout: Timeout);
        return new MassifGoldenRun(result, program, output);
    }
}
