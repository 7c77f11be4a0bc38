using Iced.Intel;
using Memcheck.Engine.Cpu.X87;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu.X87;

/// <summary>
/// Loads, stores, integer conversions in each rounding mode, constants, comparisons and fxam:
/// natively and lifted on random operands, comparing the output bytes and the status word's
/// C3, C2, C0 and TOP (C1 too where the instruction defines it).
/// </summary>
public sealed class X87DataTests
{
    private const int Iterations = 200;
    private const int A = 0, B = 8, M32 = 16, MInt16 = 20, MInt32 = 24, MInt64 = 32, M80 = 48;
    private const int StatusOut = 64;
    private const ushort WithoutC1 = 0x4500 | 0x3800, WithC1 = WithoutC1 | 0x0200;

    private sealed record Form(string Name, Action<Assembler> Body, int OutputBytes, ushort StatusMask = WithoutC1,
        bool CompareFlags = false, int ExponentRange = 40);

    private static readonly string[] RoundingModes = ["nearest", "down", "up", "zero"];

    public static IEnumerable<TestCaseData> Forms()
    {
        var forms = new List<Form>
        {
            new("fld m32", a => { a.fld(__dword_ptr[rdi + M32]); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fld m80", a => { a.fld(__tword_ptr[rdi + M80]); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fild m16", a => { a.fild(__word_ptr[rdi + MInt16]); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fild m32", a => { a.fild(__dword_ptr[rdi + MInt32]); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fild m64", a => { a.fild(__qword_ptr[rdi + MInt64]); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fst m32", a => { a.fld(__qword_ptr[rdi + A]); a.fst(__dword_ptr[rsi]); a.fstp(__qword_ptr[rsi + 8]); }, 16),
            new("fstp m80", a => { a.fld(__qword_ptr[rdi + A]); a.fstp(__tword_ptr[rsi]); }, 10),
            new("fstp st0", a => { a.fld(__qword_ptr[rdi + A]); a.fld(__qword_ptr[rdi + B]); a.fstp(st0); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fisttp m16", a => { a.fld(__qword_ptr[rdi + A]); a.fisttp(__word_ptr[rsi]); }, 2, ExponentRange: 18),
            new("fisttp m32", a => { a.fld(__qword_ptr[rdi + A]); a.fisttp(__dword_ptr[rsi]); }, 4, ExponentRange: 34),
            new("fisttp m64", a => { a.fld(__qword_ptr[rdi + A]); a.fisttp(__qword_ptr[rsi]); }, 8, ExponentRange: 66),
            new("fld1", a => { a.fld1(); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fldz", a => { a.fldz(); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fldpi", a => { a.fldpi(); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fldl2e", a => { a.fldl2e(); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fldl2t", a => { a.fldl2t(); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fldlg2", a => { a.fldlg2(); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fldln2", a => { a.fldln2(); a.fstp(__qword_ptr[rsi]); }, 8),
            new("fcom st1", a => Compare(a, x => x.fcom(st0, st1), pops: 2), 0),
            new("fcomp m64", a => Compare(a, x => x.fcomp(__qword_ptr[rdi + B]), pops: 1), 0),
            new("fcompp", a => Compare(a, x => x.fcompp(), pops: 0), 0),
            new("fucom st1", a => Compare(a, x => x.fucom(st0, st1), pops: 2), 0),
            new("fucomp st1", a => Compare(a, x => x.fucomp(st0, st1), pops: 1), 0),
            new("fucompp", a => Compare(a, x => x.fucompp(), pops: 0), 0),
            new("ficom m32", a => Compare(a, x => x.ficom(__dword_ptr[rdi + MInt32]), pops: 2), 0),
            new("ficomp m16", a => Compare(a, x => x.ficomp(__word_ptr[rdi + MInt16]), pops: 1), 0),
            new("ftst", a => Compare(a, x => x.ftst(), pops: 2), 0),
            new("fcomi", a => Compare(a, x => x.fcomi(st0, st1), pops: 2), 0, CompareFlags: true),
            new("fcomip", a => Compare(a, x => x.fcomip(st0, st1), pops: 1), 0, CompareFlags: true),
            new("fucomi", a => Compare(a, x => x.fucomi(st0, st1), pops: 2), 0, CompareFlags: true),
            new("fucomip", a => Compare(a, x => x.fucomip(st0, st1), pops: 1), 0, CompareFlags: true),
            new("fxam", a => Compare(a, x => x.fxam(), pops: 2), 0, WithC1),
            new("fxam empty", a => { a.fxam(); a.fnstsw(__word_ptr[rsi + StatusOut]); }, 0, WithC1),
            new("fnstsw ax", a => { a.fld(__qword_ptr[rdi + A]); a.ftst(); a.fnstsw(ax); a.fstp(st0); }, 0),
            new("fcmovb", a => ConditionalMove(a, x => x.fcmovb(st0, st2)), 8, CompareFlags: true),
            new("fcmove", a => ConditionalMove(a, x => x.fcmove(st0, st2)), 8, CompareFlags: true),
            new("fcmovbe", a => ConditionalMove(a, x => x.fcmovbe(st0, st2)), 8, CompareFlags: true),
            new("fcmovu", a => ConditionalMove(a, x => x.fcmovu(st0, st2)), 8, CompareFlags: true),
            new("fcmovnb", a => ConditionalMove(a, x => x.fcmovnb(st0, st2)), 8, CompareFlags: true),
            new("fcmovne", a => ConditionalMove(a, x => x.fcmovne(st0, st2)), 8, CompareFlags: true),
            new("fcmovnbe", a => ConditionalMove(a, x => x.fcmovnbe(st0, st2)), 8, CompareFlags: true),
            new("fcmovnu", a => ConditionalMove(a, x => x.fcmovnu(st0, st2)), 8, CompareFlags: true),
        };
        for (int rc = 0; rc < 4; rc++)
        {
            string mode = RoundingModes[rc];
            forms.Add(new($"fist m16 {mode}", a => { a.fld(__qword_ptr[rdi + A]); a.fist(__word_ptr[rsi]); a.fstp(__qword_ptr[rsi + 8]); }, 16, ExponentRange: 18));
            forms.Add(new($"fistp m32 {mode}", a => { a.fld(__qword_ptr[rdi + A]); a.fistp(__dword_ptr[rsi]); }, 4, ExponentRange: 34));
            forms.Add(new($"fistp m64 {mode}", a => { a.fld(__qword_ptr[rdi + A]); a.fistp(__qword_ptr[rsi]); }, 8, ExponentRange: 66));
            forms.Add(new($"frndint {mode}", a => { a.fld(__qword_ptr[rdi + A]); a.frndint(); a.fstp(__qword_ptr[rsi]); }, 8, ExponentRange: 60));
        }
        foreach (var form in forms)
        {
            int rc = Array.FindIndex(RoundingModes, m => form.Name.EndsWith(m, StringComparison.Ordinal));
            yield return new TestCaseData(form, (ushort)(0x027F | (Math.Max(rc, 0) << 10))).SetName(form.Name.Replace(' ', '_'));
        }
    }

    /// <summary>Push b then a, compare (ST(0) = a), store the status word, pop what is left.</summary>
    private static void Compare(Assembler a, Action<Assembler> compare, int pops)
    {
        a.fld(__qword_ptr[rdi + B]);
        a.fld(__qword_ptr[rdi + A]);
        compare(a);
        a.fnstsw(__word_ptr[rsi + StatusOut]);
        for (int i = 0; i < pops; i++) a.fstp(st0);
    }

    /// <summary>Set the flags with fcomi on a and b, then conditionally move 7 over a.</summary>
    private static void ConditionalMove(Assembler a, Action<Assembler> move)
    {
        a.fld(__qword_ptr[rdi + M80 + 16]);
        a.fld(__qword_ptr[rdi + B]);
        a.fld(__qword_ptr[rdi + A]);
        a.fcomi(st0, st1);
        move(a);
        a.fstp(__qword_ptr[rsi]);
        a.fstp(st0);
        a.fstp(st0);
    }

    [TestCaseSource(nameof(Forms))]
    public void MatchesTheCpu(object formObject, ushort controlWord)
    {
        var form = (Form)formObject;
        using var run = new X87Differential { ControlWord = controlWord };
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int i = 0; i < Iterations; i++)
        {
            double a = random.Next(20) == 0 ? X87Inputs.QuietNaN(random) : X87Inputs.Double(random, form.ExponentRange);
            // Equal operands often, so comparisons see every outcome.
            double b = random.Next(4) == 0 ? a : X87Inputs.Double(random, form.ExponentRange);
            run.SetInput(A, a);
            run.SetInput(B, b);
            run.SetInput(M32, X87Inputs.Single(random));
            run.SetInput(MInt16, (short)random.Next(short.MinValue, short.MaxValue + 1));
            run.SetInput(MInt32, random.Next(3) == 0 ? (int)a : random.Next(int.MinValue, int.MaxValue));
            run.SetInput(MInt64, random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64));
            var (significand, signExponent) = Float80.FromF64Bits(BitConverter.DoubleToUInt64Bits(X87Inputs.Double(random)));
            run.SetInput(M80, significand ^ (ulong)random.Next(1 << 11)); // bits F64 cannot hold: rounding
            run.SetInput(M80 + 8, signExponent);
            run.SetInput(M80 + 16, 7.0);
            run.Run(form.Body);
            string context = $"seed {seed}, a={a:R} b={b:R}";
            Assert.That(run.Lifted[..form.OutputBytes].ToArray(), Is.EqualTo(run.Native[..form.OutputBytes].ToArray()), context);
            Assert.That(run.LiftedAt<ushort>(StatusOut) & form.StatusMask, Is.EqualTo(run.NativeAt<ushort>(StatusOut) & form.StatusMask),
                $"{context}: status word");
            if (form.CompareFlags)
                Assert.That(run.LiftedAt<ulong>(X87Differential.FlagsSlot), Is.EqualTo(run.NativeAt<ulong>(X87Differential.FlagsSlot)),
                    $"{context}: rflags");
            if (form.Name == "fnstsw ax")
                Assert.That(run.LiftedAt<ushort>(X87Differential.RaxSlot) & WithoutC1,
                    Is.EqualTo(run.NativeAt<ushort>(X87Differential.RaxSlot) & WithoutC1), $"{context}: ax");
        }
    }
}
