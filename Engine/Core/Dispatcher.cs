using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;
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
/// PC, runs it, and acts on how it left (syscall, fault, undecodable instruction, ...). It runs holding
/// <paramref name="guestLock"/> and lets the other guest threads take their turn now and then.
/// </summary>
internal sealed unsafe class Dispatcher(Translator translator, GuestState* state, PageMap pages, IGuestServices services, GuestLock guestLock)
{
    /// <summary>
    /// Returns to the dispatcher between turns: chained code comes back at least every 65536 blocks (the code
    /// cache's chain budget), unchained exits far more often, so a turn is this many returns.
    /// </summary>
    private const int ReturnsPerTurn = 256;

    private readonly GuestCodeSource code = new(pages);

    public GuestEnd Run()
    {
        int returnsLeft = ReturnsPerTurn;
        while (true)
        {
            if (--returnsLeft == 0)
            {
                returnsLeft = ReturnsPerTurn;
                if (guestLock.Contended) guestLock.Yield();
            }
            ulong pc = state->Rip;
            if (!translator.Has(pc) && !pages.CanExecute(pc, 1))
                return Fault(GuestSignal.SigSegv, pc, pc, Detail(pc));
            var translation = translator.Get(pc);
            var (next, kind) = translation.Execute(state, pages);
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
                case JumpKind.NoDecode when ShadowStackHint.NopLength(code, next) is > 0 and var length:
                    state->Rip = next + (ulong)length;
                    break;
                case JumpKind.NoDecode:
                    services.ReportUndecodable(next);
                    return Fault(GuestSignal.SigIll, next, next, FaultDetail.IllegalOpcode);
                case JumpKind.SigIll:
                    services.ReportUnrecognised(next);
                    return Fault(GuestSignal.SigIll, next, next, FaultDetail.IllegalOpcode);
                case JumpKind.SigSegv:
                    return Fault(GuestSignal.SigSegv, next, state->FaultAddr, Detail(state->FaultAddr));
                case JumpKind.Halt:
                    return Fault(GuestSignal.SigSegv, next, 0, FaultDetail.NotMapped);
                case JumpKind.SigFpeIntDiv:
                    ulong reported = translator.ValgrindVisiblePc(next);
                    return Fault(GuestSignal.SigFpe, reported, reported, FaultDetail.IntegerDivideByZero);
                case JumpKind.SigTrap:
                    return Fault(GuestSignal.SigTrap, next, next, FaultDetail.Breakpoint);
                default:
                    throw new InvalidOperationException($"block at 0x{pc:x} left with unknown jump kind {kind}");
            }
        }
    }

    /// <summary>si_code of a SIGSEGV at <paramref name="address"/>: SEGV_ACCERR where the guest owns the page.</summary>
    private FaultDetail Detail(ulong address) => pages.IsOwned(address) ? FaultDetail.BadPermissions : FaultDetail.NotMapped;

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
