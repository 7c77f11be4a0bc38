using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu.X87;

/// <summary>
/// The transcendental functions (close to the CPU: it computes them in 80 bits, the model in F64)
/// and fprem/fprem1 (exact, quotient bits included), natively and lifted.
/// </summary>
public sealed class X87FunctionTests
{
    private const int Iterations = 300;
    private const int A = 0, B = 8, StatusOut = 64;
    private const ushort WithoutC1 = 0x4500 | 0x3800, WithC1 = WithoutC1 | 0x0200;

    /// <summary>A function: how to emit it, operands a (ST(0)) and b (ST(1)), values left on the stack, tolerance.</summary>
    private sealed record Function(string Name, Action<Assembler> Op, Func<Random, (double A, double B)> Operands,
        int Depth, double RelativeTolerance, ushort StatusMask = WithoutC1);

    private static double Uniform(Random r, double low, double high) => low + (high - low) * r.NextDouble();

    public static IEnumerable<TestCaseData> Functions()
    {
        Func<Random, (double, double)> angle = r => (r.Next(30) == 0 ? Math.ScaleB(1.0, 63 + r.Next(4)) : Uniform(r, -100, 100), 0);
        var functions = new Function[]
        {
            new("fsin", a => a.fsin(), angle, 2, 1e-13),
            new("fcos", a => a.fcos(), angle, 2, 1e-13),
            new("fptan", a => a.fptan(), angle, 3, 1e-12),
            new("fsincos", a => a.fsincos(), angle, 3, 1e-13),
            new("fpatan", a => a.fpatan(), r => (Uniform(r, -1e3, 1e3), Uniform(r, -1e3, 1e3)), 1, 1e-14),
            new("fyl2x", a => a.fyl2x(), r => (Math.ScaleB(Uniform(r, 0, 2), r.Next(-60, 60)), Uniform(r, -10, 10)), 1, 1e-14),
            new("fyl2xp1", a => a.fyl2xp1(), r => (Uniform(r, -0.29, 0.29) * Math.ScaleB(1.0, -r.Next(40)), Uniform(r, -10, 10)), 1, 1e-14),
            new("f2xm1", a => a.f2xm1(), r => (Uniform(r, -1, 1) * Math.ScaleB(1.0, -r.Next(40)), 0), 2, 1e-14),
            new("fprem", a => a.fprem(), Remainder, 2, 0, WithC1),
            new("fprem1", a => a.fprem1(), Remainder, 2, 0, WithC1),
        };
        return functions.Select(f => new TestCaseData(f).SetName(f.Name));
    }

    /// <summary>Operands whose exponents differ by less than 64, so the CPU finishes in one fprem.</summary>
    private static (double, double) Remainder(Random r)
    {
        double divisor = X87Inputs.Double(r, 20, specials: false);
        double dividend = X87Inputs.Double(r, 20, specials: false);
        return (dividend, r.Next(8) == 0 ? dividend / 4 : divisor);
    }

    [TestCaseSource(nameof(Functions))]
    public void MatchesTheCpu(object functionObject)
    {
        var f = (Function)functionObject;
        using var run = new X87Differential();
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            var (a, b) = f.Operands(random);
            run.SetInput(A, a);
            run.SetInput(B, b);
            run.Run(asm =>
            {
                asm.fld(__qword_ptr[rdi + B]);
                asm.fld(__qword_ptr[rdi + A]);
                f.Op(asm);
                asm.fnstsw(__word_ptr[rsi + StatusOut]);
                for (int k = 0; k < f.Depth; k++) asm.fstp(__qword_ptr[rsi + 8 * k]);
            });
            string context = $"seed {seed}, a={a:R} b={b:R}";
            for (int k = 0; k < f.Depth; k++)
            {
                double native = run.NativeAt<double>(8 * k), lifted = run.LiftedAt<double>(8 * k);
                if (f.RelativeTolerance == 0 || double.IsNaN(native) || double.IsInfinity(native))
                    Assert.That(BitConverter.DoubleToUInt64Bits(lifted), Is.EqualTo(BitConverter.DoubleToUInt64Bits(native)),
                        $"{context}: ST({k}) lifted {lifted:R}, cpu {native:R}");
                else
                    Assert.That(lifted, Is.EqualTo(native).Within(f.RelativeTolerance * Math.Max(Math.Abs(native), 1e-3)),
                        $"{context}: ST({k})");
            }
            Assert.That(run.LiftedAt<ushort>(StatusOut) & f.StatusMask, Is.EqualTo(run.NativeAt<ushort>(StatusOut) & f.StatusMask),
                $"{context}: status word");
        }
    }
}
