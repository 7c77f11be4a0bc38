namespace Memcheck.Engine.Jit;

/// <summary>
/// The stack frame every block shares. Entry from the dispatcher pushes <see cref="SavedRegisters"/>
/// and loads the state pointer; a chained jump enters after that, so all blocks must save the same
/// registers. Below the saved registers each block reserves its own frame (size ≡ 8 mod 16, so calls
/// see a 16-byte aligned stack):
/// [rsp+0] the evaluator's 7th (stack) argument, [rsp+16] three Value128 operands, [rsp+64] its result,
/// [rsp+80...] spill slots.
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

    public static int Size(int spillBytes)
    {
        int size = SpillBase + spillBytes;
        return size % 16 == 8 ? size : size + (24 - size % 16) % 16;
    }
}
