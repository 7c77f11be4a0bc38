using System.Collections.Concurrent;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Golden;

/// <summary>
/// A golden case's run under memcheck: its result, the program path its report names, and for a case that writes XML
/// the XML and the path it was written to.
/// </summary>
public sealed record GoldenRun(ProcessResult Result, string? ProgramPath, string? Xml = null, string? XmlPath = null);

/// <summary>
/// Builds a golden case's fixture as record.sh does and runs it under memcheck, once per test run: the
/// golden tests and the seed tests share the runs of the seed cases.
/// </summary>
public static class GoldenRunner
{
    // Generous, for loaded CI machines: a run that ends by timing out is a failure (a hang), not a slow pass.
    private static readonly TimeSpan ProgramTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan PythonTimeout = TimeSpan.FromMinutes(3);
    private static readonly ConcurrentDictionary<string, Lazy<GoldenRun>> Runs = new();

    public static GoldenRun Run(GoldenCase golden) =>
        Runs.GetOrAdd(golden.Name, _ => new Lazy<GoldenRun>(() => golden.IsPython ? RunPython(golden) : RunProgram(golden))).Value;

    private static GoldenRun RunProgram(GoldenCase golden)
    {
        string program = FixtureCompiler.Compile(golden.Source, golden.CompilerFlags);
        string xmlPath = Path.Combine(Path.GetDirectoryName(program)!, golden.Name + ".xml");
        var result = EngineRunner.Run(golden.Options(FixtureCompiler.FixturesDirectory, xmlPath), program, stdin: golden.Stdin,
            timeout: ProgramTimeout);
        return golden.WritesXml ? new GoldenRun(result, program, File.ReadAllText(xmlPath), xmlPath) : new GoldenRun(result, program);
    }

    /// <summary>
    /// /usr/bin/python3 NAME.py run from a directory holding the script and libNAME.so, which the script loads
    /// by a relative path; the shell changes into it because the engine starts the guest in its own directory.
    /// </summary>
    private static GoldenRun RunPython(GoldenCase golden)
    {
        string name = Path.GetFileNameWithoutExtension(golden.Source);
        string library = FixtureCompiler.Compile(Path.ChangeExtension(golden.Source, ".c"), golden.CompilerFlags);
        string directory = Path.Combine(Path.GetDirectoryName(library)!, golden.Name);
        Directory.CreateDirectory(directory);
        File.Copy(library, Path.Combine(directory, $"lib{name}.so"), overwrite: true);
        File.Copy(Path.Combine(FixtureCompiler.FixturesDirectory, golden.Source), Path.Combine(directory, $"{name}.py"), overwrite: true);

        var result = NativeRunner.Run("/bin/sh",
            ["-c", "cd \"$0\" && exec \"$@\"", directory, EngineRunner.Executable,
                .. golden.Options(FixtureCompiler.FixturesDirectory, Path.Combine(directory, golden.Name + ".xml")), "/usr/bin/python3", $"{name}.py"],
            stdin: golden.Stdin, timeout: PythonTimeout);
        return new GoldenRun(result, null);
    }
}
