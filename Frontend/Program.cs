using Memcheck.Engine;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Options;
using Memcheck.Frontend;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")] // x86-64 Linux guests on an x86-64 Linux host

// memcheck [options] prog [args]: a thin shell over Session.Run that exits as the guest did.
const int InternalErrorStatus = 70; // EX_SOFTWARE: distinct from any status a guest or a usage error gives

AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    // An exception escaping any thread ends the run with one line, never a .NET stack trace.
    ReportInternalError(e.ExceptionObject as Exception);
    Environment.Exit(InternalErrorStatus);
};

try
{
    return Run(args);
}
catch (Exception unexpected)
{
    ReportInternalError(unexpected);
    return InternalErrorStatus;
}

static int Run(string[] args)
{
    CommandLineRequest request;
    try
    {
        request = CommandLine.Parse(args);
    }
    catch (CommandLineException refused)
    {
        foreach (string line in refused.Lines) Console.Error.WriteLine($"memcheck: {line}");
        return 1;
    }

    switch (request)
    {
        case CommandLineRequest.Help help:
            Console.Out.Write(UsageText.For(help.Tool, help.Debug));
            return 0;
        case CommandLineRequest.Version:
            Console.Out.WriteLine(UsageText.VersionLine);
            return 0;
    }

    var options = ((CommandLineRequest.Run)request).Options;
    try
    {
        options = options with { Program = ProgramLocator.Locate(options.Program), CommandName = options.Program };
    }
    catch (ProgramNotFoundException missing)
    {
        Console.Error.WriteLine($"memcheck: {missing.Message}");
        return 1;
    }

    try
    {
        using var log = LogDestination.Open(options);
        using var xml = LogDestination.OpenXml(options);
        var result = Session.Run(options, log, xml);
        return result.FatalSignal is int signal ? 128 + signal : result.ExitCode;
    }
    catch (LogFileException unwritable)
    {
        Console.Error.WriteLine($"memcheck: {unwritable.Message}");
        return 1;
    }
    catch (GuestLoadException unloadable)
    {
        Console.Error.WriteLine(unloadable.Message); // already "memcheck: <path>: <problem>"
        return 1;
    }
}

static void ReportInternalError(Exception? error) =>
    Console.Error.WriteLine($"memcheck: internal error: {error?.Message ?? "unknown failure"}");
