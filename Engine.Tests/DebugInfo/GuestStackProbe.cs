using Memcheck.Engine.Core;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tools.None;

namespace Memcheck.Engine.Tests.DebugInfo;

/// <summary>
/// Runs a guest program in this process the way Session does (interpreter backend, no tool) until it
/// is killed by a signal, and captures its stack trace from the guest state at the fault.
/// </summary>
internal static unsafe class GuestStackProbe
{
    public static StackTrace AtFatalSignal(string program, int maxFrames = 12, bool showBelowMain = false, bool readInlineInfo = false)
    {
        var log = new StringWriter();
        using var machine = new GuestMachine(program, [program], ["LANG=C"], new NoneTool(),
            new Commentary(log, Environment.ProcessId), log, _ => new InterpreterBackend());
        var end = machine.DispatcherFor(machine.MainThread, new GuestLock()).Run();
        Assert.That(end, Is.InstanceOf<GuestEnd.Killed>(), $"{program} was expected to die of a signal\n{log}");
        return new DebugInfoIndex(machine.Space) { ShowBelowMain = showBelowMain, ReadInlineInfo = readInlineInfo }.Capture(machine.MainThread, maxFrames);
    }
}
