using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Os;
using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.None;

namespace Memcheck.Engine;

/// <summary>Runs one guest program under a tool and returns what happened.</summary>
public static class Session
{
    /// <summary>
    /// Loads and runs the program. A program that cannot be loaded throws <see cref="GuestLoadException"/>
    /// with a one-line message for the user; anything the guest does is reported, never thrown.
    /// </summary>
    public static unsafe RunResult Run(SessionOptions options, TextWriter? log = null)
    {
        log ??= Console.Error;
        using var space = new GuestAddressSpace();
        // argv[0] is the name as the user typed it, as a shell (and Valgrind) passes it.
        List<string> argv = [options.CommandName ?? options.Program, .. options.Arguments];
        var program = new ProgramLoader(space).Load(options.Program, argv, EnvironmentForGuest());

        int pid = Environment.ProcessId;
        var commentary = new Commentary(log, pid, quiet: options.Verbosity == 0);
        Tool tool = new NoneTool();
        WriteHeader(commentary, tool, argv);

        var state = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);
        try
        {
            new Span<byte>(state, GuestState.BlockSize).Clear();
            state->Reset();
            state->Gpr[4] = program.InitialRsp;
            state->Rip = program.Entry;

            var process = new ProcessInfo
            {
                ExecutablePath = program.ExecutablePath, Argv = argv, InitialBrk = program.BrkStart,
                Auxv = program.AuxvBytes(), ProcMaps = space.FormatProcMaps,
            };
            var kernel = new SyscallHandler(process, space, space.Pages, HostFileDescriptors.Snapshot(), log);
            var optimiser = new Optimiser { GuestSpecialisation = FlagSpecialiser.Specialise };
            using var codeCache = new CodeCache();
            IBackend backend = options.Backend == ExecutionBackend.Interpreter
                ? new InterpreterBackend()
                : new JitBackend(new BackendContext(space.Pages.Level1, codeCache));
            var translator = new Translator(new Lifter(new GuestCodeSource(space.Pages)), tool, optimiser.Run, backend);
            space.Unmapped += translator.Invalidate;
            space.ProtectionChanged += (start, length, _) => translator.Invalidate(start, length);
            space.Remapped += (oldStart, _, length) => translator.Invalidate(oldStart, length);
            var debugInfo = new DebugInfoIndex(space) { ShowBelowMain = options.ShowBelowMain };
            var services = new DispatcherServices(kernel, commentary, space, debugInfo, options.NumCallers);
            var scheduler = new GuestScheduler(space.Pages);
            kernel.Threads = scheduler;
            HostSignals.Install();

            int? signal = null;
            int exitCode = scheduler.Run(state,
                registers => new Dispatcher(translator, (GuestState*)registers, space.Pages, services, scheduler.Lock, kernel.Delivery).Run(),
                end =>
                {
                    int code;
                    if (end is GuestEnd.Killed killed)
                    {
                        FatalSignalReport.Write(commentary, killed.Fault, GuestAddressSpace.StackReserve);
                        signal = killed.Fault.Signal;
                        code = 128 + killed.Fault.Signal;
                    }
                    else code = ((GuestEnd.Exited)end).Status & 0xFF;
                    tool.Finish(commentary);
                    return code;
                });
            return new RunResult(exitCode, signal);
        }
        finally
        {
            NativeMemory.AlignedFree(state);
        }
    }

    /// <summary>The environment exactly as this process received it, order included (env prints it).</summary>
    private static List<string> EnvironmentForGuest() =>
        [.. File.ReadAllText("/proc/self/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)];

    private static void WriteHeader(Commentary c, Tool tool, IReadOnlyList<string> argv)
    {
        if (c.Quiet) return;
        c.Line(tool.Banner);
        c.Line("Copyright (C) 2026, MIT licensed, by the Memcheck.NET contributors.");
        c.Line($"Using Memcheck.NET {typeof(Session).Assembly.GetName().Version?.ToString(3)} and Iced; rerun with -h for copyright info");
        c.Line($"Command: {string.Join(' ', argv)}");
        c.Line();
    }
}

/// <summary>How the guest ended: its exit status (128+N for a fatal signal N, as a shell shows it).</summary>
public sealed record RunResult(int ExitCode, int? FatalSignal);
