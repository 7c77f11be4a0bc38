namespace Memcheck.Engine.Cpu.Sse;

internal static class SseLifters
{
    public static void Register(LifterTable t) { }
}
