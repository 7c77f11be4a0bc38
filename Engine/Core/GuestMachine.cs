using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Core;

/// <summary>
/// One loaded guest program and the engine parts that run it: its address space, its main thread's
/// state, the kernel, the translator (lifter, tool, optimiser, backend) and debug information. The
/// session runs it on the scheduler; tests drive a single dispatcher over it.
/// </summary>
internal sealed unsafe class GuestMachine : IDisposable
{
    private readonly CodeCache _codeCache = new();

    public GuestAddressSpace Space { get; } = new();
    public LoadedProgram Program { get; }
    /// <summary>The main thread's registers (and their shadows), ready to start at the entry point.</summary>
    public GuestState* MainThread { get; }
    public SyscallHandler Kernel { get; }
    public Translator Translator { get; }
    public DispatcherServices Services { get; }

    /// <param name="makeBackend">Compiled code or the interpreter, given the context compiled code is bound to.</param>
    public GuestMachine(string path, IReadOnlyList<string> argv, IReadOnlyList<string> envp, Tool tool,
        Commentary commentary, TextWriter warnings, Func<BackendContext, IBackend> makeBackend,
        int numCallers = 12, bool showBelowMain = false)
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

        var process = new ProcessInfo
        {
            ExecutablePath = Program.ExecutablePath, Argv = argv, InitialBrk = Program.BrkStart,
            Auxv = Program.AuxvBytes(), ProcMaps = Space.FormatProcMaps,
        };
        Kernel = new SyscallHandler(process, Space, Space.Pages, HostFileDescriptors.Snapshot(), warnings);
        var optimiser = new Optimiser { GuestSpecialisation = FlagSpecialiser.Specialise };
        var backend = makeBackend(new BackendContext(Space.Pages.Level1, _codeCache) { AccessCheck = tool.AccessCheck });
        Translator = new Translator(new Lifter(new GuestCodeSource(Space.Pages)), tool, optimiser.Run, backend);
        Space.Unmapped += Translator.Invalidate;
        Space.ProtectionChanged += (start, length, _) => Translator.Invalidate(start, length);
        Space.Remapped += (oldStart, _, length) => Translator.Invalidate(oldStart, length);
        var debugInfo = new DebugInfoIndex(Space) { ShowBelowMain = showBelowMain };
        Services = new DispatcherServices(Kernel, commentary, Space, debugInfo, numCallers);
    }

    /// <summary>A dispatcher for one guest thread's registers.</summary>
    public Dispatcher DispatcherFor(GuestState* registers, GuestLock guestLock) =>
        new(Translator, registers, Space.Pages, Services, guestLock, Kernel.Delivery);

    public void Dispose()
    {
        if (MainThread != null) NativeMemory.AlignedFree(MainThread);
        _codeCache.Dispose();
        Space.Dispose();
    }
}
