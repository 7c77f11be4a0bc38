using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>How a guest run ended.</summary>
public abstract record GuestEnd
{
    public sealed record Exited(int Status) : GuestEnd;
    public sealed record Killed(GuestFault Fault) : GuestEnd;
}

/// <summary>
/// The translate-and-run loop of one guest thread: finds or makes the translation of the guest
/// PC, runs it, and acts on how it left (syscall, fault, undecodable instruction, ...).
/// </summary>
internal sealed unsafe class Dispatcher(Translator translator, GuestState* state, IGuestMemoryGuard guard, IGuestServices services)
{
    public GuestEnd Run()
    {
        while (true)
        {
            ulong pc = state->Rip;
            var translation = translator.Get(pc);
            var (next, kind) = translation.Execute(state, guard);
            state->Rip = next;
            switch (kind)
            {
                case JumpKind.Boring or JumpKind.Call or JumpKind.Ret or JumpKind.Yield or JumpKind.ClientRequest:
                    break;
                case JumpKind.Syscall:
                    if (services.Syscall(state) is { } status) return new GuestEnd.Exited(status);
                    break;
                case JumpKind.InvalidateICache:
                    translator.Invalidate(next, 1);
                    break;
                case JumpKind.NoDecode:
                    services.ReportUndecodable(next);
                    return Fault(GuestSignal.SigIll, next, next, FaultDetail.IllegalOpcode);
                case JumpKind.SigIll:
                    services.ReportUnrecognised(next);
                    return Fault(GuestSignal.SigIll, next, next, FaultDetail.IllegalOpcode);
                case JumpKind.SigSegv:
                    return Fault(GuestSignal.SigSegv, next, state->FaultAddr,
                        guard.CanRead(state->FaultAddr, 1) ? FaultDetail.BadPermissions : FaultDetail.NotMapped);
                case JumpKind.Halt:
                    return Fault(GuestSignal.SigSegv, next, 0, FaultDetail.NotMapped);
                case JumpKind.SigFpeIntDiv:
                    return Fault(GuestSignal.SigFpe, next, next, FaultDetail.IntegerDivideByZero);
                case JumpKind.SigTrap:
                    return Fault(GuestSignal.SigTrap, next, next, FaultDetail.Breakpoint);
                default:
                    throw new InvalidOperationException($"block at 0x{pc:x} left with unknown jump kind {kind}");
            }
        }
    }

    private static GuestEnd.Killed Fault(int signal, ulong pc, ulong address, FaultDetail detail) =>
        new(new GuestFault(signal, pc, address, detail));
}

/// <summary>What the dispatcher needs from the rest of the engine when a block leaves for a reason.</summary>
internal unsafe interface IGuestServices
{
    /// <summary>Runs the syscall in the guest registers; returns the exit status when the guest ended.</summary>
    int? Syscall(GuestState* state);
    /// <summary>Valgrind's "unhandled instruction bytes" and "Unrecognised instruction" messages.</summary>
    void ReportUndecodable(ulong pc);
    /// <summary>The "Unrecognised instruction" message alone (ud2 and other defined SIGILL sources).</summary>
    void ReportUnrecognised(ulong pc);
}
