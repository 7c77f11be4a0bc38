using Iced.Intel;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>The integer instruction families, registered into the lifter table.</summary>
internal static class IntegerLifters
{
    public static void Register(LifterTable t)
    {
        ControlFlowLifters.Register(t);
    }
}
