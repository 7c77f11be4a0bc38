using Memcheck.Engine.Cpu.X87;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu.X87;

/// <summary>
/// The x87 environment and the fxsave image, control word, register freeing and stack
/// overflow/underflow, natively and lifted. Fields the model does not keep (instruction and
/// data pointers, MXCSR_MASK) are left out of the comparisons.
/// </summary>
public sealed class X87StateTests
{
    private const int A = 0, EnvironmentIn = 64, ImageIn = 128;

    private static void AssertSame(X87Differential run, int start, int length, string what, string context) =>
        Assert.That(run.Lifted.Slice(start, length).ToArray(), Is.EqualTo(run.Native.Slice(start, length).ToArray()), $"{context}: {what}");

    private static double Interesting(Random random) =>
        random.Next(6) == 0 ? X87Inputs.QuietNaN(random) : X87Inputs.Double(random);

    [Test]
    public void EnvironmentStoreAndLoad_MatchTheCpu()
    {
        using var run = new X87Differential();
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int i = 0; i < 50; i++)
        {
            double a = Interesting(random);
            run.SetInput(A, a);
            // An environment with rounding up, TOP = 3, C3 and C0 set, every register empty.
            run.SetInput(EnvironmentIn, 0xFFFF_0A7Fu);
            run.SetInput(EnvironmentIn + 4, 0xFFFF_0000u | (3 << 11) | 0x4100);
            run.SetInput(EnvironmentIn + 8, 0xFFFF_FFFFu);
            run.Run(asm =>
            {
                asm.fld(__qword_ptr[rdi + A]);
                asm.fldz();
                asm.fld1();
                asm.fnstenv(__dword_ptr[rsi]);
                asm.fnstcw(__word_ptr[rsi + 28]);
                asm.fldenv(__dword_ptr[rdi + EnvironmentIn]);
                asm.fld(__qword_ptr[rdi + A]);
                asm.fnstenv(__dword_ptr[rsi + 32]);
                asm.fnstsw(__word_ptr[rsi + 96]);
                asm.fnstcw(__word_ptr[rsi + 98]);
                asm.fninit();
            });
            string context = $"seed {seed}, a={a:R}";
            AssertSame(run, 0, 12, "first environment", context);
            AssertSame(run, 28, 2, "control word after fnstenv", context);
            AssertSame(run, 32, 12, "environment after fldenv and a push", context);
            AssertSame(run, 96, 4, "status and control words", context);
        }
    }

    [Test]
    public void FxrstorThenFxsave_MatchTheCpu()
    {
        using var run = new X87Differential();
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int i = 0; i < 50; i++)
        {
            var image = run.Input.Slice(ImageIn, 512);
            image.Clear();
            BitConverter.TryWriteBytes(image, (ushort)0x027F);
            BitConverter.TryWriteBytes(image[2..], (ushort)((6 << 11) | 0x0500)); // TOP = 6, C2 and C0
            image[4] = 0xC0; // physical registers 6 and 7 (ST0, ST1) full
            BitConverter.TryWriteBytes(image[24..], 0x1F80u);
            var values = new double[2];
            for (int st = 0; st < 2; st++)
            {
                values[st] = Interesting(random);
                var (significand, signExponent) = Float80.FromF64Bits(BitConverter.DoubleToUInt64Bits(values[st]));
                BitConverter.TryWriteBytes(image[(32 + 16 * st)..], significand);
                BitConverter.TryWriteBytes(image[(40 + 16 * st)..], signExponent);
            }
            random.NextBytes(image.Slice(160, 256)); // XMM0-15
            run.Run(asm =>
            {
                asm.fxrstor(__[rdi + ImageIn]);
                asm.fxsave(__[rsi + 512]);
                asm.fnstsw(__word_ptr[rsi + 16]);
                asm.fstp(__qword_ptr[rsi]);
                asm.fstp(__qword_ptr[rsi + 8]);
            });
            string context = $"seed {seed}, st0={values[0]:R} st1={values[1]:R}";
            AssertSame(run, 0, 18, "registers and status word after fxrstor", context);
            AssertSame(run, 512, 8, "fxsave control, status, tags, opcode", context);
            AssertSame(run, 512 + 24, 4, "fxsave MXCSR", context);
            AssertSame(run, 512 + 32, 128, "fxsave registers", context);
            AssertSame(run, 512 + 160, 256, "fxsave XMM registers", context);
            Assert.That(run.Lifted.Slice(512 + 416, 64).ToArray(), Is.All.EqualTo(0), "bytes past 416 are not written");
        }
    }

    [Test]
    public void ControlWordRoundTrip_AndFreeing_MatchTheCpu()
    {
        using var run = new X87Differential();
        run.SetInput(A, 2.5);
        run.SetInput(8, (ushort)0x0E7F);
        run.Run(asm =>
        {
            asm.fldcw(__word_ptr[rdi + 8]);
            asm.fnstcw(__word_ptr[rsi]);
            asm.fld(__qword_ptr[rdi + A]);
            asm.fld1();
            asm.ffree(st1);
            asm.fxam();                       // ST0 = 1.0: normal
            asm.fnstsw(__word_ptr[rsi + 2]);
            asm.fincstp();
            asm.fxam();                       // ST0 freed: empty
            asm.fnstsw(__word_ptr[rsi + 4]);
            asm.fdecstp();
            asm.ffreep(st0);
            asm.fnstsw(__word_ptr[rsi + 6]);
            asm.fninit();
            asm.fnstcw(__word_ptr[rsi + 8]);
            asm.fnstsw(__word_ptr[rsi + 10]);
        });
        AssertSame(run, 0, 12, "control and status words", "fixed inputs");
    }

    [Test]
    public void StackOverflowAndUnderflow_GiveTheIndefinite_AsTheCpuDoes()
    {
        using var run = new X87Differential();
        run.SetInput(A, 2.5);
        run.Run(asm =>
        {
            asm.fadd(st0, st3);               // empty registers read as the indefinite
            asm.fstp(__qword_ptr[rsi]);
            for (int i = 0; i < 9; i++) asm.fld(__qword_ptr[rdi + A]); // the ninth overflows
            for (int i = 0; i < 8; i++) asm.fstp(__qword_ptr[rsi + 8 + 8 * i]);
            asm.fnstsw(__word_ptr[rsi + 80]);
        });
        AssertSame(run, 0, 72, "stored values", "fixed inputs");
        Assert.That(run.LiftedAt<ulong>(8), Is.EqualTo(Float80.F64Indefinite), "overflowed push");
    }
}
