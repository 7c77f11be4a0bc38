using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu.X87;

/// <summary>
/// Arithmetic in every operand form, natively and lifted, on random operands: results and the
/// status word's C3, C2, C0 and TOP must agree bit for bit (C1 and the exception flags are not modelled).
/// </summary>
public sealed class X87ArithmeticTests
{
    private const int Iterations = 300;
    // Inputs: a, b (pushed in that order), then the memory operands of each width.
    private const int A = 0, B = 8, M64 = 16, M32 = 24, MInt32 = 28, MInt16 = 32;
    private const int StatusOut = 64;
    private const ushort ModelledStatus = 0x4500 | 0x3800;

    public static IEnumerable<TestCaseData> Forms()
    {
        var families = new (string Name, Action<Assembler> StSt, Action<Assembler> StiSt0, Action<Assembler> Pop,
            Action<Assembler> M64, Action<Assembler> M32, Action<Assembler> I32, Action<Assembler> I16)[]
        {
            ("fadd", a => a.fadd(st0, st1), a => a.fadd(st1, st0), a => a.faddp(st1, st0),
                a => a.fadd(__qword_ptr[rdi + M64]), a => a.fadd(__dword_ptr[rdi + M32]),
                a => a.fiadd(__dword_ptr[rdi + MInt32]), a => a.fiadd(__word_ptr[rdi + MInt16])),
            ("fsub", a => a.fsub(st0, st1), a => a.fsub(st1, st0), a => a.fsubp(st1, st0),
                a => a.fsub(__qword_ptr[rdi + M64]), a => a.fsub(__dword_ptr[rdi + M32]),
                a => a.fisub(__dword_ptr[rdi + MInt32]), a => a.fisub(__word_ptr[rdi + MInt16])),
            ("fsubr", a => a.fsubr(st0, st1), a => a.fsubr(st1, st0), a => a.fsubrp(st1, st0),
                a => a.fsubr(__qword_ptr[rdi + M64]), a => a.fsubr(__dword_ptr[rdi + M32]),
                a => a.fisubr(__dword_ptr[rdi + MInt32]), a => a.fisubr(__word_ptr[rdi + MInt16])),
            ("fmul", a => a.fmul(st0, st1), a => a.fmul(st1, st0), a => a.fmulp(st1, st0),
                a => a.fmul(__qword_ptr[rdi + M64]), a => a.fmul(__dword_ptr[rdi + M32]),
                a => a.fimul(__dword_ptr[rdi + MInt32]), a => a.fimul(__word_ptr[rdi + MInt16])),
            ("fdiv", a => a.fdiv(st0, st1), a => a.fdiv(st1, st0), a => a.fdivp(st1, st0),
                a => a.fdiv(__qword_ptr[rdi + M64]), a => a.fdiv(__dword_ptr[rdi + M32]),
                a => a.fidiv(__dword_ptr[rdi + MInt32]), a => a.fidiv(__word_ptr[rdi + MInt16])),
            ("fdivr", a => a.fdivr(st0, st1), a => a.fdivr(st1, st0), a => a.fdivrp(st1, st0),
                a => a.fdivr(__qword_ptr[rdi + M64]), a => a.fdivr(__dword_ptr[rdi + M32]),
                a => a.fidivr(__dword_ptr[rdi + MInt32]), a => a.fidivr(__word_ptr[rdi + MInt16])),
        };
        foreach (var f in families)
        {
            yield return Case($"{f.Name} st0,st1", f.StSt, 2);
            yield return Case($"{f.Name} st1,st0", f.StiSt0, 2);
            yield return Case($"{f.Name}p st1,st0", f.Pop, 1);
            yield return Case($"{f.Name} m64", f.M64, 2);
            yield return Case($"{f.Name} m32", f.M32, 2);
            yield return Case($"{f.Name} m32int", f.I32, 2);
            yield return Case($"{f.Name} m16int", f.I16, 2);
        }
        yield return Case("fchs", a => a.fchs(), 2);
        yield return Case("fabs", a => a.fabs(), 2);
        yield return Case("fsqrt", a => a.fsqrt(), 2);
        yield return Case("fscale", a => a.fscale(), 2);
        yield return Case("fxtract", a => a.fxtract(), 3);
        yield return Case("fxch", a => a.fxch(st0, st1), 2);
        yield return Case("fld st1", a => a.fld(st1), 3);
        yield return Case("fst st1", a => a.fst(st1), 2);
        yield return Case("fstp st1", a => a.fstp(st1), 1);
    }

    private static TestCaseData Case(string name, Action<Assembler> op, int depth) =>
        new TestCaseData(op, depth).SetName(name.Replace(' ', '_').Replace(',', '_'));

    [TestCaseSource(nameof(Forms))]
    public void MatchesTheCpu(Action<Assembler> op, int depth)
    {
        using var run = new X87Differential();
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            double a = random.Next(20) == 0 ? X87Inputs.QuietNaN(random) : X87Inputs.Double(random);
            double b = X87Inputs.Double(random);
            run.SetInput(A, a);
            run.SetInput(B, b);
            run.SetInput(M64, X87Inputs.Double(random));
            run.SetInput(M32, X87Inputs.Single(random));
            run.SetInput(MInt32, random.Next(int.MinValue, int.MaxValue));
            run.SetInput(MInt16, (short)random.Next(short.MinValue, short.MaxValue + 1));
            run.Run(asm =>
            {
                asm.fld(__qword_ptr[rdi + A]);
                asm.fld(__qword_ptr[rdi + B]);
                op(asm);
                asm.fnstsw(__word_ptr[rsi + StatusOut]);
                for (int k = 0; k < depth; k++) asm.fstp(__qword_ptr[rsi + 8 * k]);
            });
            for (int k = 0; k < depth; k++)
                Assert.That(run.LiftedAt<ulong>(8 * k), Is.EqualTo(run.NativeAt<ulong>(8 * k)),
                    $"seed {seed}, a={a:R} b={b:R}: ST({k}) lifted {run.LiftedAt<double>(8 * k):R}, cpu {run.NativeAt<double>(8 * k):R}");
            Assert.That(run.LiftedAt<ushort>(StatusOut) & ModelledStatus, Is.EqualTo(run.NativeAt<ushort>(StatusOut) & ModelledStatus),
                $"seed {seed}, a={a:R} b={b:R}: status word");
        }
    }
}
