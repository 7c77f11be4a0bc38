using System.Diagnostics;

namespace Memcheck.Engine.Tests.Support;

/// <summary>Runs an executable directly on the host, capturing both output streams and the exit status.</summary>
public static class NativeRunner
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <param name="environment">Variables set on top of this process's environment, or instead of it when
    /// <paramref name="inheritEnvironment"/> is false.</param>
    /// <param name="workingDirectory">Where the child starts; this process's own directory when null.</param>
    public static ProcessResult Run(string executable, IEnumerable<string>? args = null, string? stdin = null,
        TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null, bool inheritEnvironment = true,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args ?? []) info.ArgumentList.Add(arg);
        if (!inheritEnvironment) info.Environment.Clear();
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
        // Read both pipes concurrently so a child filling one of them cannot deadlock us.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            if (stdin is not null) process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child exited without reading its input; its status tells the story.
        }

        bool timedOut = !process.WaitForExit(timeout ?? DefaultTimeout);
        if (timedOut)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        else
        {
            process.WaitForExit(); // drains the redirected streams
        }
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result, timedOut);
    }
}
