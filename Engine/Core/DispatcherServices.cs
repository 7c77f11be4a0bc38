using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Os;
using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Core;

/// <summary>The engine's answers to the dispatcher: the kernel for syscalls, the commentary for messages.</summary>
internal sealed unsafe class DispatcherServices(SyscallHandler kernel, Commentary commentary, GuestAddressSpace space) : IGuestServices
{
    public int? Syscall(GuestState* state) => kernel.Handle(state) is { Exits: true } outcome ? outcome.ExitStatus : null;

    public void ReportUndecodable(ulong pc)
    {
        Span<byte> bytes = stackalloc byte[10];
        int n = new GuestCodeSource(space.Pages).Read(pc, bytes);
        FatalSignalReport.WriteUnhandledBytes(commentary, bytes[..n]);
        ReportUnrecognised(pc);
    }

    public void ReportUnrecognised(ulong pc) => FatalSignalReport.WriteUnrecognisedInstruction(commentary, pc, Stack(pc));

    /// <summary>The frames of a report: the faulting PC symbolised (function, file:line, object).
    /// Only the PC reaches here, so the callers' frames need the guest state passed in (DebugInfoIndex.Capture).</summary>
    public IReadOnlyList<string> Stack(ulong pc) => new StackTrace([new DebugInfoIndex(space).Describe(pc)]).Render();
}
