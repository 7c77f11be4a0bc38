using Memcheck.Engine.Guest;

namespace Memcheck.Engine.Os;

/// <summary>
/// Valgrind's preload objects as its client sees them: the launcher puts them first in LD_PRELOAD (the core's,
/// then the tool's), the client's ld.so maps them, and a program the client execs untraced gets LD_PRELOAD
/// without them. The engine's replacements need no code in the guest, so each path opens as an empty shared
/// object named like it: the guest's link map and environment are the ones it has under Valgrind, on machines
/// with or without Valgrind's files.
/// </summary>
public sealed class PreloadObjects(IReadOnlyList<string> paths)
{
    public const string Variable = "LD_PRELOAD";

    public static readonly PreloadObjects None = new([]);

    public IReadOnlyList<string> Paths { get; } = paths;

    /// <summary>The launcher's LD_PRELOAD: the objects, then what the user preloads (a set but empty value leaves a trailing colon).</summary>
    public string Prepend(string? userValue) =>
        string.Join(':', Paths) + (userValue is null ? "" : ":" + userValue);

    /// <summary>LD_PRELOAD as an exec'd program gets it: the value less the objects, empty when nothing else was preloaded.</summary>
    public string Strip(string value) => string.Join(':', value.Split(':').Where(p => !Paths.Contains(p)));

    /// <summary>A descriptor of the object at <paramref name="path"/> (or -errno), or null when the path is not one.</summary>
    public long? Open(string path, int flags) =>
        Paths.Contains(path) ? MemoryFile.Create(Path.GetFileName(path), EmptySharedObject.Image(Path.GetFileName(path)), flags) : null;
}
