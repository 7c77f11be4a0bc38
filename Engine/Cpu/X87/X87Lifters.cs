namespace Memcheck.Engine.Cpu.X87;

internal static class X87Lifters
{
    public static void Register(LifterTable t) { }
}
