namespace Memcheck.Engine.Jit;

/// <summary>
/// The stack frame every block shares, set up once by the entry stub (<see cref="SharedStubs.Enter"/>) below the
/// dispatcher's saved registers, so chained jumps between blocks need no stack adjustment. Inside a block rsp is
/// 16-byte aligned: [rsp+0] the evaluator's 7th (stack) argument, [rsp+16] three Value128 operands, [rsp+64] its
/// result, [rsp+80...] spill slots. A block that needs more spill space than <see cref="SharedSpill"/> reserves
/// the rest itself (<see cref="Extra"/>) and frees it at every exit.
/// </summary>
internal static class BlockFrame
{
    /// <summary>Holds the GuestState pointer for the whole block.</summary>
    public const int StateRegister = X64.Rbp;
    /// <summary>Callee-saved registers of the SysV ABI, pushed in this order and popped in reverse.</summary>
    public static readonly int[] SavedRegisters = [X64.Rbp, X64.Rbx, X64.R12, X64.R13, X64.R14, X64.R15];

    public const int OutgoingArg = 0;
    public const int EvalArgs = 16;
    public const int EvalResult = 64;
    public const int SpillBase = 80;
    public const int SharedSpill = 1024;
    /// <summary>Bytes the entry stub reserves: with the return address and six pushes, rsp ends 16-byte aligned.</summary>
    public const int Size = SpillBase + SharedSpill + 8;

    /// <summary>Bytes a block with <paramref name="spillBytes"/> of spill slots reserves beyond the shared frame (a multiple of 16).</summary>
    public static int Extra(int spillBytes) => spillBytes <= SharedSpill ? 0 : (spillBytes - SharedSpill + 15) & ~15;
}
