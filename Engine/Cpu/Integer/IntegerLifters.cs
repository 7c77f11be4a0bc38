using Memcheck.Engine.Cpu.Bmi;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>The integer instruction families (with the VEX-encoded BMI1/BMI2), registered into the lifter table.</summary>
internal static class IntegerLifters
{
    public static void Register(LifterTable t)
    {
        var integer = new GprOnlyTable(t);
        DataLifters.AddTo(integer);
        AluLifters.AddTo(integer);
        ShiftLifters.AddTo(integer);
        MulDivLifters.AddTo(integer);
        BitLifters.AddTo(integer);
        StringLifters.AddTo(integer);
        ControlFlowLifters.AddTo(integer);
        SystemLifters.AddTo(integer);
        BmiLifters.AddTo(integer);
    }
}
