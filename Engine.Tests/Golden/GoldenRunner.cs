using System.Collections.Concurrent;
using System.Security.Cryptography;
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
        Runs.GetOrAdd(golden.Name, _ => new Lazy<GoldenRun>(() =>
            golden.IsPython ? RunPython(golden) : golden.IsPerl ? RunPerl(golden) : RunProgram(golden))).Value;

    /// <summary>
    /// The XML goes to a directory of this run's own, not beside the program in the fixture cache, which every
    /// worktree's test runs share: two runs of one case at once would write the same file.
    /// </summary>
    private static GoldenRun RunProgram(GoldenCase golden)
    {
        string program = FixtureCompiler.Compile(golden.Source, golden.CompilerFlags);
        DirectoryInfo xmlDirectory = Directory.CreateTempSubdirectory("memcheck-golden-xml.");
        try
        {
            string xmlPath = Path.Combine(xmlDirectory.FullName, golden.Name + ".xml");
            var result = InGoldenEnvironment([.. golden.Options(FixtureCompiler.FixturesDirectory, xmlPath), program], ProgramTimeout,
                stdin: golden.Stdin);
            return golden.WritesXml ? new GoldenRun(result, program, File.ReadAllText(xmlPath), xmlPath) : new GoldenRun(result, program);
        }
        finally
        {
            xmlDirectory.Delete(recursive: true);
        }
    }

    /// <summary>/usr/bin/perl reading the script from stdin in /, as record.sh runs it.</summary>
    private static GoldenRun RunPerl(GoldenCase golden)
    {
        string script = File.ReadAllText(Path.Combine(FixtureCompiler.FixturesDirectory, golden.Source));
        return new GoldenRun(InGoldenEnvironment([.. golden.ToolOptions, "/usr/bin/perl", "-"], ProgramTimeout, "/", script), null);
    }

    /// <summary>
    /// /usr/bin/python3 NAME.py run from a directory holding the script and libNAME.so, which the script loads
    /// by a relative path. The directory's path is as long as record.sh's, /tmp/memcheck-golden.XXXXXXXXXXXX/CASE:
    /// python's heap depends on that length.
    /// </summary>
    private static GoldenRun RunPython(GoldenCase golden)
    {
        string name = Path.GetFileNameWithoutExtension(golden.Source);
        string library = FixtureCompiler.Compile(Path.ChangeExtension(golden.Source, ".c"), golden.CompilerFlags);
        string root = "/tmp/memcheck-golden." + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 12);
        string directory = Directory.CreateDirectory(Path.Combine(root, golden.Name)).FullName;
        try
        {
            File.Copy(library, Path.Combine(directory, $"lib{name}.so"));
            File.Copy(Path.Combine(FixtureCompiler.FixturesDirectory, golden.Source), Path.Combine(directory, $"{name}.py"));
            string[] options = golden.Options(FixtureCompiler.FixturesDirectory, Path.Combine(directory, golden.Name + ".xml"));
            return new GoldenRun(InGoldenEnvironment([.. options, "/usr/bin/python3", $"{name}.py"], PythonTimeout, directory, golden.Stdin),
                null);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>memcheck with the command line, in exactly the golden environment (no shell between: it would add OLDPWD).</summary>
    private static ProcessResult InGoldenEnvironment(string[] commandLine, TimeSpan timeout, string? directory = null, string? stdin = null) =>
        NativeRunner.Run(EngineRunner.Executable, commandLine, stdin, timeout, GoldenCase.Environment, inheritEnvironment: false, directory);
}
