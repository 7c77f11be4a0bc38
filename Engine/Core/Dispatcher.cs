using Memcheck.Engine.Core.Redirection;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Os;

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
/// <paramref name="guestLock"/> and lets the other guest threads take their turn now and then. When the process
/// exits, the thread runs the guest's cleanups first (<see cref="FreeresAtExit"/>), keeping the lock throughout.
/// </summary>
/// <param name="isLastThread">Whether this is the only live guest thread, so its exit ends the process.</param>
internal sealed unsafe class Dispatcher(Translator translator, GuestState* state, PageMap pages, IGuestServices services,
    GuestLock guestLock, SignalDelivery signals, FreeresAtExit? freeres, Func<bool> isLastThread)
{
    private static readonly ulong ExitGroupNumber = (ulong)SyscallTable.Named("exit_group").Number;

    /// <summary>
    /// Returns to the dispatcher between turns: chained code comes back after at most 65536 budget checks (the code
    /// cache's chain budget, which every loop of blocks passes), unchained exits far more often, so a turn is this
    /// many returns.
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
                if (guestLock.Contended && freeres?.RunsOn(state) != true) guestLock.Yield();
            }
            if (signals.AnyDeliverable)
            {
                ulong sp = state->Gpr[4];
                if (signals.DeliverPending(state) is > 0 and var fatal)
                    return new GuestEnd.Killed(new GuestFault(fatal, state->Rip, 0, FaultDetail.Sent, services.Stack(state))
                    {
                        SentCode = signals.FatalCode,
                    });
                if (state->Gpr[4] != sp) services.SignalFrameWritten(state);
            }
            if (Step() is { } end) return end;
        }
    }

    /// <summary>Runs one translation and acts on its exit; the end of the guest when it ended.</summary>
    private GuestEnd? Step()
    {
        ulong pc = state->Rip;
        var translation = translator.Find(pc);
        if (translation == null)
        {
            if (freeres?.Finished(pc) is { } exitStatus) return new GuestEnd.Exited(exitStatus);
            if (!pages.CanExecute(pc, 1)) return Fault(GuestSignal.SigSegv, pc, pc, Detail(pc));
            translation = translator.Translate(pc);
        }
        translator.Stats?.Dispatched();
        var (next, kind) = translation.Execute(state, pages);
        state->Rip = next;
        switch (kind)
        {
            case JumpKind.Boring or JumpKind.Call or JumpKind.Ret or JumpKind.Yield:
                return null;
            case JumpKind.ClientRequest:
                services.ClientRequest(state);
                return null;
            case JumpKind.Syscall:
                bool exitsGroup = state->Gpr[0] == ExitGroupNumber;
                if (services.Syscall(state) is not { } status) return null;
                return (exitsGroup || isLastThread()) && freeres?.TryStart(state, status) == true ? null : new GuestEnd.Exited(status);
            case JumpKind.InvalidateICache:
                translator.Invalidate(next, 1);
                return null;
            case JumpKind.NoDecode when ShadowStackHint.NopLength(code, next) is > 0 and var length:
                state->Rip = next + (ulong)length;
                return null;
            case JumpKind.NoDecode:
                services.ReportUndecodable(state);
                return Fault(GuestSignal.SigIll, next, next, FaultDetail.IllegalOpcode);
            case JumpKind.SigIll:
                services.ReportUnrecognised(state);
                return Fault(GuestSignal.SigIll, next, next, FaultDetail.IllegalOpcode);
            case JumpKind.SigSegv:
                return Fault(GuestSignal.SigSegv, next, state->FaultAddr, Detail(state->FaultAddr));
            case JumpKind.SigBus:
                return Fault(GuestSignal.SigBus, next, state->FaultAddr, FaultDetail.NonExistentPhysicalAddress);
            case JumpKind.Halt:
                return Fault(GuestSignal.SigSegv, next, 0, FaultDetail.NotMapped);
            case JumpKind.GeneralProtection:
                return Fault(GuestSignal.SigSegv, next, 0, FaultDetail.GeneralProtection);
            case JumpKind.SigFpeIntDiv:
                ulong reported = translator.ValgrindVisiblePc(next);
                return Fault(GuestSignal.SigFpe, next, reported, FaultDetail.IntegerDivideByZero, reported);
            case JumpKind.SigTrap:
                return Fault(GuestSignal.SigTrap, next, next, FaultDetail.Breakpoint);
            default:
                throw new InvalidOperationException($"block at 0x{pc:x} left with unknown jump kind {kind}");
        }
    }

    /// <summary>si_code of a SIGSEGV at <paramref name="address"/>: SEGV_ACCERR where the guest owns the page.</summary>
    private FaultDetail Detail(ulong address) => pages.IsOwned(address) ? FaultDetail.BadPermissions : FaultDetail.NotMapped;

    /// <summary>
    /// A fault of the instruction at <paramref name="pc"/>: the guest's handler runs on a signal frame, or the
    /// guest ends with the report (at <paramref name="reportedPc"/>, where Valgrind shows it, when given).
    /// </summary>
    private GuestEnd.Killed? Fault(int signal, ulong pc, ulong address, FaultDetail detail, ulong? reportedPc = null)
    {
        state->Rip = pc;
        var (code, trapNo) = SignalCode(detail);
        ulong sp = state->Gpr[4];
        if (signals.DeliverFault(state, signal, code, address, trapNo))
        {
            if (state->Gpr[4] != sp) services.SignalFrameWritten(state);
            return null;
        }
        state->Rip = reportedPc ?? pc;
        return new(new GuestFault(signal, state->Rip, address, detail, services.Stack(state)));
    }

    /// <summary>si_code and the x86 trap number the kernel reports for a fault.</summary>
    internal static (int Code, int TrapNo) SignalCode(FaultDetail detail) => detail switch
    {
        FaultDetail.NotMapped => (1, 14),            // SEGV_MAPERR, page fault
        FaultDetail.BadPermissions => (2, 14),       // SEGV_ACCERR
        FaultDetail.NonExistentPhysicalAddress => (2, 14), // BUS_ADRERR
        FaultDetail.GeneralProtection => (0x80, 13), // SI_KERNEL, general protection
        FaultDetail.IntegerDivideByZero => (1, 0),   // FPE_INTDIV, divide error
        FaultDetail.IllegalOpcode => (2, 6),         // ILL_ILLOPN, invalid opcode
        FaultDetail.Breakpoint => (0x80, 3),         // SI_KERNEL, breakpoint
        _ => (0, 0),
    };
}

/// <summary>What the dispatcher needs from the rest of the engine when a block leaves for a reason.</summary>
internal unsafe interface IGuestServices
{
    /// <summary>Runs the syscall in the guest registers; returns the exit status when the guest ended.</summary>
    int? Syscall(GuestState* state);
    /// <summary>A signal frame now lies at RSP (delivery moved the stack pointer): the tool hears of it.</summary>
    void SignalFrameWritten(GuestState* state);
    /// <summary>Answers the client request the guest made (the block at RAX), in RDX.</summary>
    void ClientRequest(GuestState* state);
    /// <summary>Valgrind's "unhandled instruction bytes" and "Unrecognised instruction" messages for the instruction at RIP.</summary>
    void ReportUndecodable(GuestState* state);
    /// <summary>The "Unrecognised instruction" message alone (ud2 and other defined SIGILL sources).</summary>
    void ReportUnrecognised(GuestState* state);
    /// <summary>The guest's stack at RIP.</summary>
    StackTrace Stack(GuestState* state);
}
