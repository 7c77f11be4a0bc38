using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Os;
using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Core;

/// <summary>The engine's answers to the dispatcher: the kernel for syscalls, the commentary for messages, client requests.</summary>
/// <param name="threadNumber">Valgrind's number of the guest thread running on this host thread.</param>
internal sealed unsafe class DispatcherServices(SyscallHandler kernel, ErrorOutput output, GuestAddressSpace space,
    DebugInfoIndex debugInfo, int numCallers, Tool tool, Action<ulong, ulong> discardTranslations, Func<int> threadNumber)
    : IGuestServices
{
    private readonly ClientRequests _clientRequests = new(tool, new GuestMemory(space.Pages), output, debugInfo, numCallers,
        discardTranslations, () => kernel.Current, threadNumber);

    private Commentary Commentary => output.Commentary;

    public int? Syscall(GuestState* state)
    {
        var entry = SyscallTable.Find(state->Gpr[0]);
        tool.BeforeSyscall(state, entry);
        var outcome = kernel.Handle(state);
        if (outcome.Exits) return outcome.ExitStatus;
        // A syscall to be made again after a signal handler wrote nothing yet.
        if (!outcome.Restarts) tool.AfterSyscall(state, entry, (long)state->Gpr[0]);
        return null;
    }

    public void SignalFrameWritten(GuestState* state) => tool.SignalFrameWritten(state);

    public void ClientRequest(GuestState* state) => _clientRequests.Handle(state);

    public void ReportUndecodable(GuestState* state)
    {
        Span<byte> bytes = stackalloc byte[10];
        int n = new GuestCodeSource(space.Pages).Read(state->Rip, bytes);
        FatalSignalReport.WriteUnhandledBytes(Commentary, bytes[..n]);
        ReportUnrecognised(state);
    }

    public void ReportUnrecognised(GuestState* state) =>
        FatalSignalReport.WriteUnrecognisedInstruction(Commentary, state->Rip, Stack(state).Render());

    public StackTrace Stack(GuestState* state) => debugInfo.Capture(state, numCallers);
}
