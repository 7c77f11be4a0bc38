namespace Memcheck.Engine.Cpu.Avx;

/// <summary>
/// Registers the lifters of the VEX-encoded instructions the AVX, AVX2 and FMA CPU reports that have no legacy
/// twin of the same shape (the others come from the SSE families' lane functions): moves, shifts, permutes,
/// width-changing forms, blends and tests, fused multiply-add, masked moves and gathers, F16C.
/// </summary>
internal static class AvxLifters
{
    public static void Register(LifterTable t)
    {
        AvxMoves.Register(t);
        AvxShifts.Register(t);
        AvxPermutes.Register(t);
        AvxWidthChanges.Register(t);
        AvxBlendsAndTests.Register(t);
        FmaLifts.Register(t);
        MaskedAccess.Register(t);
        F16cLifts.Register(t);
    }
}
