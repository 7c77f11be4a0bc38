using System.Runtime.InteropServices;
using Memcheck.Engine.Core.Redirection;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Os;
using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Core;

/// <summary>
/// One loaded guest program and the engine parts that run it: its address space, its main thread's
/// state, the kernel, the translator (lifter, redirector, tool, optimiser, backend), debug information, and
/// the tool attached to all of it. The session runs it on the scheduler; tests drive a single dispatcher over it.
/// </summary>
internal sealed unsafe class GuestMachine : IDisposable
{
    private readonly CodeCache _codeCache = new();
    /// <summary>Lets the tool's helpers, called with only a guest state, find the tool (GuestState.ToolHandle).</summary>
    private GCHandle _toolHandle;

    public GuestAddressSpace Space { get; } = new();
    public LoadedProgram Program { get; }
    /// <summary>The main thread's registers (and their shadows), ready to start at the entry point.</summary>
    public GuestState* MainThread { get; }
    public SyscallHandler Kernel { get; }
    public Translator Translator { get; }
    public DispatcherServices Services { get; }
    public DebugInfoIndex DebugInfo { get; }
    /// <summary>
    /// Function replacement and the exit-time cleanups; null for a static program, which Valgrind cannot preload
    /// its replacement objects into, so nothing in it is replaced and no cleanups run.
    /// </summary>
    public Redirector? Redirector { get; }

    /// <param name="makeBackend">Compiled code or the interpreter, given the context compiled code is bound to.</param>
    /// <param name="freeres">Which exit-time cleanups the user allows (--run-cxx-freeres, --run-libc-freeres); they
    /// run only when the tool asks for them.</param>
    /// <param name="errors">Where the tool's errors go; by default text on the commentary, without suppressions.</param>
    /// <param name="preloads">The preload objects <paramref name="envp"/>'s LD_PRELOAD names, which the guest opens as such.</param>
    public GuestMachine(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp, Tool tool,
        Commentary commentary, TextWriter warnings, Func<BackendContext, IBackend> makeBackend,
        int numCallers = 12, bool showBelowMain = false, FreeresAtExit.Choice? freeres = null, bool readInlineInfo = false,
        ErrorOutput? errors = null, PreloadObjects? preloads = null)
    {
        try
        {
            Program = new ProgramLoader(Space).Load(path, argv, envp);
        }
        catch
        {
            Dispose();
            throw;
        }
        MainThread = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);
        new Span<byte>(MainThread, GuestState.BlockSize).Clear();
        MainThread->Reset();
        MainThread->Gpr[4] = Program.InitialRsp;
        MainThread->Rip = Program.Entry;
        _toolHandle = GCHandle.Alloc(tool);
        MainThread->ToolHandle = GCHandle.ToIntPtr(_toolHandle);

        var process = new ProcessInfo
        {
            ExecutablePath = Program.ExecutablePath, Argv = argv, InitialBrk = Program.BrkStart,
            Auxv = Program.AuxvBytes(), ProcMaps = Space.FormatProcMaps, Preloads = preloads ?? PreloadObjects.None,
            Descriptors = DescriptorLimits.ReserveOnHost(),
        };
        Kernel = new SyscallHandler(process, Space, Space.Pages, HostFileDescriptors.Snapshot(), warnings);
        var optimiser = new Optimiser { GuestSpecialisation = FlagSpecialiser.Rewrite };
        var backend = makeBackend(new BackendContext(Space.Pages.Level1, _codeCache)
        {
            AccessCheck = tool.AccessCheck, GuestRegionEnd = GuestRegion.IsReserved ? GuestRegion.End : 0,
            CountInstructions = tool.CountsInstructions,
        });
        DebugInfo = new DebugInfoIndex(Space) { ShowBelowMain = showBelowMain, ReadInlineInfo = readInlineInfo };
        var allowed = freeres ?? new FreeresAtExit.Choice(Cxx: true, Libc: true);
        if (Program.Interpreter is not null)
            Redirector = new Redirector(tool, Space, DebugInfo,
                new FreeresAtExit.Choice(tool.RunsFreeresAtExit && allowed.Cxx, tool.RunsFreeresAtExit && allowed.Libc));
        Translator = new Translator(new Lifter(new GuestCodeSource(Space.Pages)), Redirector, tool, optimiser.Run, backend);
        if (Redirector is not null) Redirector.Redirected += Translator.Invalidate;
        Space.Unmapped += Translator.Invalidate;
        Space.ProtectionChanged += (start, length, _) => Translator.Invalidate(start, length);
        Space.Remapped += (oldStart, _, length) => Translator.Invalidate(oldStart, length);
        errors ??= new ErrorOutput(commentary);
        Services = new DispatcherServices(Kernel, errors, Space, DebugInfo, numCallers, tool, Translator.Invalidate, CurrentThreadNumber);
        tool.Attach(new ToolHost(Space, DebugInfo, errors, numCallers, () => Threads, () => InstructionsExecuted, CurrentThreadNumber,
            () => Kernel.Current.ErrorDisablement > 0));
    }

    /// <summary>
    /// The live guest threads: the scheduler's once one runs the guest (the kernel's thread service), else the
    /// main thread alone, as when a test drives one dispatcher.
    /// </summary>
    public IReadOnlyList<ToolThread> Threads =>
        Kernel.Threads is GuestScheduler scheduler ? scheduler.LiveThreads : [new ToolThread(1, MainThread)];

    /// <summary>Guest instructions executed by every thread so far: the scheduler's count, else the main thread's.</summary>
    public ulong InstructionsExecuted => Kernel.Threads is GuestScheduler scheduler ? scheduler.InstructionsExecuted : MainThread->InstrCount;

    /// <summary>Valgrind's number of the guest thread running on this host thread: the scheduler's, else the main thread's.</summary>
    private int CurrentThreadNumber() => Kernel.Threads is GuestScheduler scheduler ? scheduler.CurrentNumber : 1;

    /// <summary>A dispatcher for one guest thread's registers.</summary>
    public Dispatcher DispatcherFor(GuestState* registers, GuestLock guestLock) =>
        new(Translator, registers, Space.Pages, Services, guestLock, Kernel.Delivery, Redirector?.Freeres, IsLastThread);

    private bool IsLastThread() => Kernel.Threads is not GuestScheduler scheduler || scheduler.LiveThreadCount <= 1;

    public void Dispose()
    {
        if (MainThread != null) NativeMemory.AlignedFree(MainThread);
        if (_toolHandle.IsAllocated) _toolHandle.Free();
        _codeCache.Dispose();
        Space.Dispose();
    }
}
