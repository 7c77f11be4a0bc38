using Memcheck.Engine.Guest;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Core;

/// <summary>
/// The environment Valgrind's launcher gives its client, made from the one the engine received, so that programs
/// whose allocations depend on their environment (python's os.environ, perl's %ENV) allocate as under Valgrind.
/// Debian's valgrind wrapper script appends /usr/lib/debug to LD_LIBRARY_PATH, sets GLIBCPP_FORCE_NEW and
/// GLIBCXX_FORCE_NEW (libstdc++ then allocates with plain new, no pools), and its shell exports PWD; valgrind
/// then puts its preload objects first in LD_PRELOAD. The order of the variables is not the shell's.
/// </summary>
internal static class LauncherEnvironment
{
    private const string DebugLibraries = "/usr/lib/debug";

    /// <summary>What the launcher preloads for <paramref name="tool"/>: the core's object, then the tool's own.</summary>
    public static PreloadObjects PreloadsOf(Tool tool) =>
        new([.. new[] { Tool.CorePreloadObjectPath, tool.ReplacementObjectPath }.Distinct()]);

    public static List<string> ForClient(IReadOnlyList<string> inherited, PreloadObjects preloads, string workingDirectory)
    {
        var environment = inherited.ToList();
        Set(environment, "LD_LIBRARY_PATH", value => string.IsNullOrEmpty(value) ? DebugLibraries : value + ":" + DebugLibraries);
        Set(environment, "GLIBCPP_FORCE_NEW", _ => "1");
        Set(environment, "GLIBCXX_FORCE_NEW", _ => "1");
        // The shell keeps an inherited PWD only where it names the working directory (through symlinks or not).
        Set(environment, "PWD", value => value is ['/', ..] && SameDirectory(value, workingDirectory) ? value : workingDirectory);
        Set(environment, PreloadObjects.Variable, preloads.Prepend);
        return environment;
    }

    /// <summary>Replaces the variable's first entry with the value made from its current one (null when unset), or appends it.</summary>
    private static void Set(List<string> environment, string name, Func<string?, string> value)
    {
        string prefix = name + "=";
        int index = environment.FindIndex(e => e.StartsWith(prefix, StringComparison.Ordinal));
        if (index < 0) environment.Add(prefix + value(null));
        else environment[index] = prefix + value(environment[index][prefix.Length..]);
    }

    private static bool SameDirectory(string a, string b) => Libc.Identity(a) is { } identity && identity == Libc.Identity(b);
}
