namespace Memcheck.Engine.Cpu;

/// <summary>x86 condition codes in encoding order (the low nibble of jcc/setcc/cmovcc opcodes).</summary>
public enum X86Condition
{
    O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G,
}

public static class X86Conditions
{
    /// <summary>Iced numbers its ConditionCode from None = 0, then o, no, b, ... in encoding order.</summary>
    public static X86Condition FromIced(Iced.Intel.ConditionCode cc) =>
        cc == Iced.Intel.ConditionCode.None
            ? throw new ArgumentOutOfRangeException(nameof(cc), "instruction has no condition")
            : (X86Condition)((int)cc - 1);

    /// <summary>Odd codes are the negation of the even code before them.</summary>
    public static bool IsNegated(this X86Condition c) => ((int)c & 1) != 0;
}
