namespace Memcheck.Frontend;

/// <summary>
/// Finds the program the user named the way a shell (and Valgrind) does: a name with a slash is a path,
/// any other name is looked up in PATH. Failures carry Valgrind's wording.
/// </summary>
internal static class ProgramLocator
{
    /// <exception cref="ProgramNotFoundException">The program does not exist, is a directory, or is not executable.</exception>
    public static string Locate(string name)
    {
        if (name.Contains('/')) return Check(name);
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':'))
        {
            string candidate = Path.Combine(directory.Length == 0 ? "." : directory, name);
            if (File.Exists(candidate) && IsExecutable(candidate)) return candidate;
        }
        throw new ProgramNotFoundException($"{name}: command not found");
    }

    private static string Check(string path)
    {
        if (Directory.Exists(path)) throw new ProgramNotFoundException($"{path}: is a directory");
        if (!File.Exists(path)) throw new ProgramNotFoundException($"{path}: No such file or directory");
        if (!IsExecutable(path)) throw new ProgramNotFoundException($"{path}: Permission denied");
        return path;
    }

    private static bool IsExecutable(string path) =>
        (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;
}

internal sealed class ProgramNotFoundException(string message) : Exception(message);
