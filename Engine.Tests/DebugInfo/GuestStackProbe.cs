using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Os;
using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.None;

namespace Memcheck.Engine.Tests.DebugInfo;

/// <summary>
/// Runs a guest program in this process the way Session does (interpreter backend, no tool) until it
/// is killed by a signal, and captures its stack trace from the guest state at the fault.
/// </summary>
internal static unsafe class GuestStackProbe
{
    public static StackTrace AtFatalSignal(string program, int maxFrames = 12, bool showBelowMain = false)
    {
        using var space = new GuestAddressSpace();
        var loaded = new ProgramLoader(space).Load(program, [program], ["LANG=C"]);
        var state = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);
        try
        {
            new Span<byte>(state, GuestState.BlockSize).Clear();
            state->Reset();
            state->Gpr[4] = loaded.InitialRsp;
            state->Rip = loaded.Entry;
            var process = new ProcessInfo
            {
                ExecutablePath = loaded.ExecutablePath, Argv = [program], InitialBrk = loaded.BrkStart,
                Auxv = loaded.AuxvBytes(), ProcMaps = space.FormatProcMaps,
            };
            var log = new StringWriter();
            var kernel = new SyscallHandler(process, space, space.Pages, HostFileDescriptors.Snapshot(), log);
            var translator = new Translator(new Lifter(new GuestCodeSource(space.Pages)), new NoneTool(), sb => sb, new InterpreterBackend());
            space.Unmapped += translator.Invalidate;
            var services = new DispatcherServices(kernel, new Commentary(log, Environment.ProcessId), space, new DebugInfoIndex(space), 12);
            var end = new Dispatcher(translator, state, space.Pages, services, new GuestLock(), kernel.Delivery).Run();
            Assert.That(end, Is.InstanceOf<GuestEnd.Killed>(), $"{program} was expected to die of a signal\n{log}");
            return new DebugInfoIndex(space) { ShowBelowMain = showBelowMain }.Capture(state, maxFrames);
        }
        finally
        {
            NativeMemory.AlignedFree(state);
        }
    }
}
