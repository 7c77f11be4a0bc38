using System.Runtime.CompilerServices;

namespace Memcheck.Engine.Tests.DebugInfo;

/// <summary>Where this folder's fixtures and golden files live: beside this source file.</summary>
internal static class DebugInfoFiles
{
    public static string Directory { get; } = Here();

    public static string Fixture(string name) => Path.Combine(Directory, "Fixtures", name);

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
