using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.MassifTool;

/// <summary>Valgrind's ms_print, when installed: the reader our massif.out files must satisfy.</summary>
public static class MsPrint
{
    /// <summary>Where ms_print is on PATH, or null.</summary>
    public static string? Path { get; } = (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(directory => System.IO.Path.Combine(directory, "ms_print"))
        .FirstOrDefault(File.Exists);

    public static ProcessResult Render(string massifOut, params string[] options) =>
        NativeRunner.Run(Path ?? throw new InvalidOperationException("ms_print is not installed"), [.. options, massifOut]);
}
