namespace Memcheck.Engine.Guest;

/// <summary>
/// The guest program cannot be loaded. <see cref="Exception.Message"/> is the one line the
/// frontend prints before exiting with status 1, e.g. "memcheck: ./foo: not an ELF file".
/// </summary>
public sealed class GuestLoadException : Exception
{
    public GuestLoadException(string message) : base(message) { }

    public GuestLoadException(string message, Exception inner) : base(message, inner) { }

    internal static GuestLoadException For(string path, string problem) => new($"memcheck: {path}: {problem}");
}
