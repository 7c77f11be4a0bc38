namespace Memcheck.Engine.Cpu;

/// <summary>RFLAGS bit positions.</summary>
public static class X86Flags
{
    public const ulong CF = 1UL << 0, PF = 1UL << 2, AF = 1UL << 4, ZF = 1UL << 6, SF = 1UL << 7;
    public const ulong TF = 1UL << 8, IF = 1UL << 9, DF = 1UL << 10, OF = 1UL << 11;
    public const ulong AC = 1UL << 18, ID = 1UL << 21;
    /// <summary>Bit 1 always reads as one.</summary>
    public const ulong Reserved1 = 1UL << 1;
    /// <summary>The six status flags the thunk computes.</summary>
    public const ulong Oszapc = OF | SF | ZF | AF | PF | CF;
    public const int CFShift = 0, PFShift = 2, AFShift = 4, ZFShift = 6, SFShift = 7, OFShift = 11;
}
