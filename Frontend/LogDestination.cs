using Memcheck.Engine;
using Memcheck.Engine.Options;
using Microsoft.Win32.SafeHandles;

namespace Memcheck.Frontend;

/// <summary>Opens the writer the run's commentary goes to, from --log-file or --log-fd, as Valgrind does.</summary>
internal static class LogDestination
{
    private const int StandardError = 2;

    /// <summary>Null means standard error, the engine's default.</summary>
    /// <exception cref="LogFileException">The log file cannot be created.</exception>
    public static TextWriter? Open(SessionOptions options)
    {
        if (options.LogFile is { } pattern) return CreateFile(OutputFileName.Expand(pattern, Environment.ProcessId));
        if (options.LogFd == StandardError) return null;
        try
        {
            var stream = new FileStream(new SafeFileHandle(options.LogFd, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            return new StreamWriter(stream) { AutoFlush = true };
        }
        catch (Exception unusable) when (unusable is IOException or ArgumentException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"memcheck: --log-fd={options.LogFd} is not a writable file descriptor, using stderr");
            return null;
        }
    }

    private static StreamWriter CreateFile(string path)
    {
        try
        {
            return new StreamWriter(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }
        catch (Exception failed) when (failed is IOException or UnauthorizedAccessException)
        {
            string reason = failed switch
            {
                DirectoryNotFoundException or FileNotFoundException => "No such file or directory",
                UnauthorizedAccessException => "Permission denied",
                _ => failed.Message,
            };
            throw new LogFileException($"Cannot create log file '{path}': {reason}");
        }
    }
}

internal sealed class LogFileException(string message) : Exception(message);
