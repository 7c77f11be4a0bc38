using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Core;

/// <summary>
/// How a replacement may end other than by returning to its caller, as Valgrind's replacements can, being guest code:
/// the guest exits (a __*_chk overflow calls _exit(1)), or takes SIGSEGV at the replacement (an access its own code
/// could not make). The helper asks through the guest state; the replacement's block then leaves for it with the
/// result unused: an exit_group syscall the tool sees as any other, or the fault as an instruction's.
/// </summary>
public static unsafe class ReplacementEnding
{
    /// <summary>The values of <see cref="GuestState.ReplacementEnding"/>.</summary>
    internal const ulong Returns = 0, Exits = 1, Faults = 2;

    /// <summary>The guest calls exit_group(<paramref name="status"/>) from the replacement.</summary>
    public static void Exit(GuestState* state, int status)
    {
        state->ReplacementEnding = Exits;
        state->ReplacementStatus = (ulong)status;
    }

    /// <summary>The guest takes SIGSEGV at the replacement for an access to <paramref name="address"/>.</summary>
    public static void Fault(GuestState* state, ulong address)
    {
        state->ReplacementEnding = Faults;
        state->FaultAddr = address;
    }
}
