using System.Security.Cryptography;
using System.Text;

namespace Memcheck.Engine.Tests.Support;

/// <summary>
/// Compiles C/C++ fixtures from Engine.Tests/Fixtures with the system gcc/g++ into a cache under the
/// system temp directory, keyed by a hash of compiler, flags and source, so reruns cost nothing.
/// </summary>
public static class FixtureCompiler
{
    public static string FixturesDirectory => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string CacheDirectory => Path.Combine(Path.GetTempPath(), "memcheck-fixture-cache");

    /// <summary>
    /// Returns the path of the executable built from <paramref name="source"/> (relative to the fixtures
    /// folder, or absolute) with <paramref name="flags"/>, compiling it on first use.
    /// </summary>
    public static string Compile(string source, params string[] flags)
    {
        string sourcePath = Path.IsPathRooted(source) ? source : Path.Combine(FixturesDirectory, source);
        if (!File.Exists(sourcePath)) throw new FileNotFoundException($"fixture source not found: {sourcePath}");

        string compiler = IsCxx(sourcePath) ? "g++" : "gcc";
        string key = Hash(compiler, flags, File.ReadAllBytes(sourcePath));
        string output = Path.Combine(CacheDirectory, key, Path.GetFileNameWithoutExtension(sourcePath));
        if (File.Exists(output)) return output;

        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        // Build under a unique name and rename, so parallel test runs never see a half-written binary.
        string partial = $"{output}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var result = NativeRunner.Run(compiler, [.. flags, "-o", partial, sourcePath, "-lm"],
            timeout: TimeSpan.FromMinutes(2));
        if (result.ExitCode != 0 || result.TimedOut)
        {
            File.Delete(partial);
            throw new InvalidOperationException(
                $"{compiler} {string.Join(' ', flags)} {sourcePath} failed:\n{result.Stderr}");
        }
        File.Move(partial, output, overwrite: true);
        return output;
    }

    private static bool IsCxx(string path) => Path.GetExtension(path) is ".cc" or ".cpp" or ".cxx" or ".C";

    private static string Hash(string compiler, string[] flags, byte[] source)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(compiler + "\0" + string.Join("\0", flags) + "\0"));
        hash.AppendData(source);
        return Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
    }
}
