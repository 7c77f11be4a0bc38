using Memcheck.Engine.Cpu;
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

    /// <summary>The frames of a report: for now the faulting PC and the object it lies in.</summary>
    public IReadOnlyList<string> Stack(ulong pc)
    {
        var mapping = space.FindMapping(pc);
        string where = mapping?.Path is { Length: > 0 } path ? $" (in {path})" : "";
        return [$"   at 0x{pc:X}: ???{where}"];
    }
}
