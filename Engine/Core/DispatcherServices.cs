using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Os;
using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Core;

/// <summary>The engine's answers to the dispatcher: the kernel for syscalls, the commentary for messages.</summary>
internal sealed unsafe class DispatcherServices(SyscallHandler kernel, Commentary commentary, GuestAddressSpace space,
    DebugInfoIndex debugInfo, int numCallers, Tool tool) : IGuestServices
{
    public int? Syscall(GuestState* state)
    {
        var entry = SyscallTable.Find(state->Gpr[0]);
        tool.BeforeSyscall(state, entry);
        if (kernel.Handle(state) is { Exits: true } outcome) return outcome.ExitStatus;
        tool.AfterSyscall(state, entry, (long)state->Gpr[0]);
        return null;
    }

    public void SignalFrameWritten(GuestState* state) => tool.SignalFrameWritten(state);

    public void ReportUndecodable(GuestState* state)
    {
        Span<byte> bytes = stackalloc byte[10];
        int n = new GuestCodeSource(space.Pages).Read(state->Rip, bytes);
        FatalSignalReport.WriteUnhandledBytes(commentary, bytes[..n]);
        ReportUnrecognised(state);
    }

    public void ReportUnrecognised(GuestState* state) =>
        FatalSignalReport.WriteUnrecognisedInstruction(commentary, state->Rip, Stack(state).Render());

    public StackTrace Stack(GuestState* state) => debugInfo.Capture(state, numCallers);
}
