using Memcheck.Engine.Core;
using Memcheck.Engine.Core.Redirection;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Os;
using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.Massif;
using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.None;

namespace Memcheck.Engine;

/// <summary>Runs one guest program under a tool and returns what happened.</summary>
public static class Session
{
    /// <summary>
    /// Loads and runs the program. A program that cannot be loaded throws <see cref="GuestLoadException"/>
    /// with a one-line message for the user; anything the guest does is reported, never thrown. A suppression file
    /// that cannot be read ends the run before the guest starts, with Valgrind's message and exit status 1.
    /// </summary>
    /// <param name="log">The text commentary; standard error by default.</param>
    /// <param name="xml">With <see cref="SessionOptions.Xml"/>, where Valgrind's XML output goes; the commentary then
    /// carries almost nothing, as Valgrind's does.</param>
    public static unsafe RunResult Run(SessionOptions options, TextWriter? log = null, TextWriter? xml = null)
    {
        log ??= Console.Error;
        // argv[0] is the name as the user typed it, as a shell (and Valgrind) passes it.
        List<string> argv = [options.CommandName ?? options.Program, .. options.Arguments];
        var commentary = new Commentary(log, Environment.ProcessId, quiet: options.Verbosity == 0);
        XmlOutput? xmlOutput = options.Xml && xml is not null ? new XmlOutput(xml) : null;
        Tool tool = CreateTool(options);
        using var toolLifetime = tool as IDisposable;
        SuppressionFileException? badSuppressions = null;
        SuppressionSet suppressions = SuppressionSet.Empty;
        if (tool.SuppressionKinds is { } kinds)
        {
            try
            {
                suppressions = SuppressionSet.Load(options.Suppressions, kinds, options.DefaultSuppressions);
            }
            catch (SuppressionFileException bad)
            {
                badSuppressions = bad;
            }
        }
        var errors = new ErrorOutput(commentary, xmlOutput, suppressions, options.GenSuppressions, ErrorOutput.Reader(options.InputFd));
        var preloads = LauncherEnvironment.PreloadsOf(tool);
        var environment = LauncherEnvironment.ForClient(InheritedEnvironment(), preloads, Directory.GetCurrentDirectory());
        using var machine = new GuestMachine(options.Program, argv, environment, tool, commentary, log,
            context => options.Backend == ExecutionBackend.Interpreter ? new InterpreterBackend(context.AccessCheck) : new JitBackend(context),
            options.NumCallers, options.ShowBelowMain, new FreeresAtExit.Choice(options.RunCxxFreeres, options.RunLibcFreeres),
            options.ReadInlineInfo ?? tool.ReadsInlineInfo, errors, preloads);
        IReadOnlyList<string> header = Header(tool, argv);
        if (xmlOutput is not null)
            xmlOutput.Begin(ToolName(options.Tool), header, Environment.ProcessId, ParentProcessId(), options.XmlUserComment,
                Environment.ProcessPath ?? "memcheck", options.OptionArguments, argv);
        else if (!commentary.Quiet)
        {
            foreach (string line in header) commentary.Line(line);
            commentary.Line();
        }
        if (badSuppressions is not null)
        {
            if (badSuppressions.Echo is { } echo) commentary.Raw(echo);
            foreach (string line in badSuppressions.Lines) commentary.Line(line);
            xmlOutput?.End(beforeGuest: true);
            return new RunResult(1, null);
        }
        // Valgrind's core errors, shown for a tool that reports errors (memcheck), not in XML.
        if (tool.SuppressionKinds is not null && options.Verbosity >= 1 && !options.Xml)
            machine.Kernel.InvalidDescriptor += (state, warning) =>
            {
                commentary.Line(warning);
                if (options.Verbosity < 2) return;
                foreach (string line in machine.DebugInfo.Capture((GuestState*)state, options.NumCallers).Render()) commentary.Line(line);
            };
        if (options.Verbosity >= 2)
            foreach (string file in suppressions.Files) commentary.Verbose($"Reading suppressions file: {file}");
        if (options.Stats) machine.Translator.Stats = new TranslationStats();
        if (options.TraceFlags != 0) machine.Translator.Trace = new TranslationTrace(log, options.TraceFlags, options.TraceNotBelow);

        var scheduler = new GuestScheduler(machine.Space.Pages);
        machine.Kernel.Threads = scheduler;
        machine.Kernel.ForkedChild += pid => commentary.Pid = pid;
        HostSignals.Install();

        int? signal = null;
        int exitCode = scheduler.Run(machine.MainThread,
            registers => machine.DispatcherFor((GuestState*)registers, scheduler.Lock).Run(),
            end =>
            {
                int code;
                if (end is GuestEnd.Killed killed)
                {
                    FatalSignalReport.Write(commentary, xmlOutput, killed.Fault, GuestAddressSpace.StackReserve);
                    signal = killed.Fault.Signal;
                    code = 128 + killed.Fault.Signal;
                }
                else code = ((GuestEnd.Exited)end).Status & 0xFF;
                xmlOutput?.Finished();
                tool.Finish(commentary);
                machine.Translator.Stats?.Write(commentary);
                xmlOutput?.End();
                // --error-exitcode replaces the status of a guest that exited with errors found.
                if (signal is null && options.ErrorExitCode != 0 && tool is MemcheckTool { Report.ErrorCount: > 0 })
                    code = options.ErrorExitCode;
                return code;
            });
        return new RunResult(exitCode, signal) { Memcheck = (tool as MemcheckTool)?.Report, Massif = (tool as MassifTool)?.Report };
    }

    /// <summary>The tool --tool names.</summary>
    private static Tool CreateTool(SessionOptions options) => options.Tool switch
    {
        ToolKind.Memcheck => new MemcheckTool(options),
        ToolKind.Massif => new MassifTool(options),
        _ => new NoneTool(),
    };

    /// <summary>The environment exactly as this process received it, order included (env prints it).</summary>
    private static List<string> InheritedEnvironment() =>
        [.. File.ReadAllText("/proc/self/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>The header lines Valgrind starts with (the preamble of its XML).</summary>
    private static IReadOnlyList<string> Header(Tool tool, IReadOnlyList<string> argv) =>
    [
        tool.Banner,
        "Copyright (C) 2026, MIT licensed, by the Memcheck.NET contributors.",
        $"Using Memcheck.NET {typeof(Session).Assembly.GetName().Version?.ToString(3)} and Iced; rerun with -h for copyright info",
        $"Command: {string.Join(' ', argv)}",
    ];

    private static string ToolName(ToolKind tool) => tool.ToString().ToLowerInvariant();

    private static readonly int GetppidNumber = SyscallTable.Named("getppid").Number;

    private static int ParentProcessId() => (int)HostSyscall.Invoke(GetppidNumber);
}

/// <summary>
/// How the guest ended: its exit status (128+N for a fatal signal N, as a shell shows it), and under memcheck what it
/// found (errors, heap and leak summaries, loss records), the records the text report was written from; under massif
/// the snapshots written to massif.out.
/// </summary>
public sealed record RunResult(int ExitCode, int? FatalSignal)
{
    public MemcheckReport? Memcheck { get; init; }
    public MassifReport? Massif { get; init; }
}
