namespace Memcheck.Engine.Cpu.Sse;

/// <summary>Registers the lifters of SSE through SSE4.2 and crc32 (what glibc's non-AVX ifunc variants, libm, libstdc++ and gcc -O2 code use).</summary>
internal static class SseLifters
{
    public static void Register(LifterTable t)
    {
        SseMoves.Register(t);
        SseIntegerLifts.Register(t);
        SseFloatLifts.Register(t);
        SseStringLifts.Register(t);
        Crc32Lift.Register(t);
        ApproximationLifts.Register(t);
    }
}
