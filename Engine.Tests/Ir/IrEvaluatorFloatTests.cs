using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Ir.IrType;

namespace Memcheck.Engine.Tests.Ir;

public class IrEvaluatorFloatTests
{
    private static ulong D(double d) => BitConverter.DoubleToUInt64Bits(d);
    private static ulong F(float f) => BitConverter.SingleToUInt32Bits(f);
    private const ulong QNaN64 = 0x7FF8_0000_0000_0001, SNaN64 = 0x7FF0_0000_0000_0002, DefaultNaN64 = 0xFFF8_0000_0000_0000;

    private static ulong Bin(IrOp op, IrType type, ulong a, ulong b) => IrEvaluator.Binop(op, type, type, None, a, b).Lo;

    [Test]
    public void ArithmeticIsIeee()
    {
        Assert.That(Bin(IrOp.FAdd, F64, D(0.1), D(0.2)), Is.EqualTo(D(0.1 + 0.2)));
        Assert.That(Bin(IrOp.FDiv, F32, F(1f), F(3f)), Is.EqualTo(F(1f / 3f)));
        Assert.That(Bin(IrOp.FMul, F64, D(-0.0), D(5)), Is.EqualTo(D(-0.0)));
        Assert.That(Bin(IrOp.FSub, F32, F(1f), F(1f)), Is.EqualTo(F(0f)));
        Assert.That(Bin(IrOp.FDiv, F64, D(1), D(0)), Is.EqualTo(D(double.PositiveInfinity)));
    }

    [Test]
    public void NaNOperandsPropagateQuietedFirstOperandFirst()
    {
        Assert.That(Bin(IrOp.FAdd, F64, SNaN64, QNaN64), Is.EqualTo(SNaN64 | 1UL << 51));
        Assert.That(Bin(IrOp.FMul, F64, D(1), QNaN64), Is.EqualTo(QNaN64));
        Assert.That(Bin(IrOp.FSub, F64, QNaN64, SNaN64), Is.EqualTo(QNaN64));
        Assert.That(Bin(IrOp.FAdd, F32, 0x7F80_0001, F(2f)), Is.EqualTo(0x7FC0_0001UL));
    }

    [Test]
    public void InvalidOperationGivesTheDefaultNaN()
    {
        Assert.That(Bin(IrOp.FSub, F64, D(double.PositiveInfinity), D(double.PositiveInfinity)), Is.EqualTo(DefaultNaN64));
        Assert.That(Bin(IrOp.FDiv, F32, F(0f), F(0f)), Is.EqualTo(0xFFC0_0000UL));
        Assert.That(IrEvaluator.Unop(IrOp.FSqrt, F64, F64, None, D(-1)).Lo, Is.EqualTo(DefaultNaN64));
        Assert.That(IrEvaluator.Unop(IrOp.FSqrt, F64, F64, None, D(-0.0)).Lo, Is.EqualTo(D(-0.0)));
        Assert.That(IrEvaluator.Unop(IrOp.FSqrt, F32, F32, None, F(16f)).Lo, Is.EqualTo(F(4f)));
    }

    [Test]
    public void MinAndMaxReturnTheSecondOperandWhenUnorderedOrEqual()
    {
        Assert.That(Bin(IrOp.FMin, F64, QNaN64, D(1)), Is.EqualTo(D(1)));
        Assert.That(Bin(IrOp.FMin, F64, D(1), QNaN64), Is.EqualTo(QNaN64));
        Assert.That(Bin(IrOp.FMax, F64, D(0.0), D(-0.0)), Is.EqualTo(D(-0.0)));
        Assert.That(Bin(IrOp.FMin, F64, D(-0.0), D(0.0)), Is.EqualTo(D(0.0)));
        Assert.That(Bin(IrOp.FMin, F32, F(1f), F(2f)), Is.EqualTo(F(1f)));
        Assert.That(Bin(IrOp.FMax, F32, F(1f), F(2f)), Is.EqualTo(F(2f)));
    }

    [TestCase(1.0, 2.0, 0x01UL)]
    [TestCase(2.0, 1.0, 0x00UL)]
    [TestCase(-0.0, 0.0, 0x40UL)]
    [TestCase(double.NaN, 0.0, 0x45UL)]
    [TestCase(0.0, double.NaN, 0x45UL)]
    public void CompareFlagsAreThoseComisdSets(double a, double b, ulong flags)
    {
        Assert.That(IrEvaluator.Binop(IrOp.FCmpFlags, I32, F64, None, D(a), D(b)).Lo, Is.EqualTo(flags));
        Assert.That(IrEvaluator.Binop(IrOp.FCmpFlags, I32, F32, None, F((float)a), F((float)b)).Lo, Is.EqualTo(flags));
    }

    [TestCase(2.5, 2UL, 2UL)]
    [TestCase(3.5, 3UL, 4UL)]
    [TestCase(-2.5, 0xFFFF_FFFEUL, 0xFFFF_FFFEUL)]
    [TestCase(-1.7, 0xFFFF_FFFFUL, 0xFFFF_FFFEUL)]
    [TestCase(2147483647.0, 0x7FFF_FFFFUL, 0x7FFF_FFFFUL)]
    [TestCase(2147483648.0, 0x8000_0000UL, 0x8000_0000UL)]
    [TestCase(-2147483648.0, 0x8000_0000UL, 0x8000_0000UL)]
    [TestCase(-2147483648.9, 0x8000_0000UL, 0x8000_0000UL)]
    [TestCase(double.NaN, 0x8000_0000UL, 0x8000_0000UL)]
    [TestCase(double.NegativeInfinity, 0x8000_0000UL, 0x8000_0000UL)]
    public void FloatToI32TruncatesOrRoundsToEvenWithIndefiniteOnOverflow(double v, ulong truncated, ulong rounded)
    {
        Assert.That(IrEvaluator.Unop(IrOp.FToSIntTrunc, I32, F64, None, D(v)).Lo, Is.EqualTo(truncated));
        Assert.That(IrEvaluator.Unop(IrOp.FToSIntRound, I32, F64, None, D(v)).Lo, Is.EqualTo(rounded));
    }

    [Test]
    public void FloatToIntMatchesCvttsd2siAndCvtsd2siOnRandomValues()
    {
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        for (int i = 0; i < 2000; i++)
        {
            double v = (rng.NextDouble() - 0.5) * Math.ScaleB(1.0, rng.Next(70));
            var x = Vector128.CreateScalar(v);
            Assert.That(IrEvaluator.Unop(IrOp.FToSIntTrunc, I64, F64, None, D(v)).Lo, Is.EqualTo((ulong)Sse2.X64.ConvertToInt64WithTruncation(x)), $"seed {seed}: {v:R}");
            Assert.That(IrEvaluator.Unop(IrOp.FToSIntRound, I64, F64, None, D(v)).Lo, Is.EqualTo((ulong)Sse2.X64.ConvertToInt64(x)), $"seed {seed}: {v:R}");
            Assert.That(IrEvaluator.Unop(IrOp.FToSIntTrunc, I32, F64, None, D(v)).Lo, Is.EqualTo((ulong)(uint)Sse2.ConvertToInt32WithTruncation(x)), $"seed {seed}: {v:R}");
            float f = (float)v;
            Assert.That(IrEvaluator.Unop(IrOp.FToSIntRound, I32, F32, None, F(f)).Lo, Is.EqualTo((ulong)(uint)Sse.ConvertToInt32(Vector128.CreateScalar(f))), $"seed {seed}: {f:R}");
        }
    }

    [Test]
    public void IntToFloatIsSignedAndRoundsToNearest()
    {
        Assert.That(IrEvaluator.Unop(IrOp.SIntToF, F64, I32, None, 0xFFFF_FFFFUL).Lo, Is.EqualTo(D(-1)));
        Assert.That(IrEvaluator.Unop(IrOp.SIntToF, F32, I64, None, 0x7FFF_FFFF_FFFF_FFFFUL).Lo, Is.EqualTo(F(9.223372E18f)));
        Assert.That(IrEvaluator.Unop(IrOp.SIntToF, F32, I32, None, 16777217UL).Lo, Is.EqualTo(F(16777216f)));
        Assert.That(IrEvaluator.Unop(IrOp.SIntToF, F64, I16, None, 0x8000UL).Lo, Is.EqualTo(D(-32768)));
    }

    [Test]
    public void ConvertBetweenWidthsKeepsNaNPayloads()
    {
        Assert.That(IrEvaluator.Unop(IrOp.FConvert, F64, F32, None, F(1.5f)).Lo, Is.EqualTo(D(1.5)));
        Assert.That(IrEvaluator.Unop(IrOp.FConvert, F32, F64, None, D(1.0 / 3)).Lo, Is.EqualTo(F((float)(1.0 / 3))));
        Assert.That(IrEvaluator.Unop(IrOp.FConvert, F64, F32, None, 0xFF80_0001UL).Lo, Is.EqualTo(0xFFF8_0000_2000_0000UL));
        Assert.That(IrEvaluator.Unop(IrOp.FConvert, F32, F64, None, 0x7FF0_0000_2000_0000UL).Lo, Is.EqualTo(0x7FC0_0001UL));
        Assert.That(IrEvaluator.Unop(IrOp.FConvert, F32, F64, None, D(1e300)).Lo, Is.EqualTo(F(float.PositiveInfinity)));
    }

    [Test]
    public void NegAndAbsOnlyTouchTheSignBit()
    {
        Assert.That(IrEvaluator.Unop(IrOp.FNeg, F64, F64, None, QNaN64).Lo, Is.EqualTo(QNaN64 | 1UL << 63));
        Assert.That(IrEvaluator.Unop(IrOp.FAbs, F64, F64, None, D(-2)).Lo, Is.EqualTo(D(2)));
        Assert.That(IrEvaluator.Unop(IrOp.FNeg, F32, F32, None, F(0f)).Lo, Is.EqualTo(F(-0f)));
        Assert.That(IrEvaluator.Unop(IrOp.FAbs, F32, F32, None, 0xFFC0_0000UL).Lo, Is.EqualTo(0x7FC0_0000UL));
    }

    [Test]
    public void RoundToIntegralMatchesRoundsdAndRoundssInEveryMode()
    {
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        double[] specials = [0.5, -0.5, 1.5, 2.5, -2.5, -0.0, 0.49999999999999994, double.NaN, double.NegativeInfinity, 4503599627370497.0];
        for (int i = 0; i < 1000; i++)
        {
            double v = i < specials.Length ? specials[i] : (rng.NextDouble() - 0.5) * Math.ScaleB(1.0, rng.Next(60));
            var d = Vector128.CreateScalar(v);
            var f = Vector128.CreateScalar((float)v);
            ulong[] doubles =
            [
                D(Sse41.RoundToNearestIntegerScalar(d).ToScalar()), D(Sse41.RoundToNegativeInfinityScalar(d).ToScalar()),
                D(Sse41.RoundToPositiveInfinityScalar(d).ToScalar()), D(Sse41.RoundToZeroScalar(d).ToScalar()),
            ];
            ulong[] singles =
            [
                F(Sse41.RoundToNearestIntegerScalar(f).ToScalar()), F(Sse41.RoundToNegativeInfinityScalar(f).ToScalar()),
                F(Sse41.RoundToPositiveInfinityScalar(f).ToScalar()), F(Sse41.RoundToZeroScalar(f).ToScalar()),
            ];
            for (int mode = 0; mode < 4; mode++)
            {
                Assert.That(IrEvaluator.Binop(IrOp.FRoundInt, F64, F64, None, D(v), (ulong)mode).Lo, Is.EqualTo(doubles[mode]), $"seed {seed}: {v:R} mode {mode}");
                Assert.That(IrEvaluator.Binop(IrOp.FRoundInt, F32, F32, None, F((float)v), (ulong)mode).Lo, Is.EqualTo(singles[mode]), $"seed {seed}: {(float)v:R} mode {mode}");
            }
        }
    }

    [Test]
    public unsafe void EvalNativeEvaluatesEachKind()
    {
        var args = stackalloc Value128[3];
        Value128 result;
        delegate* unmanaged<int, int, int, int, int, Value128*, Value128*, void> eval = &IrEvaluator.EvalNative;
        args[0] = 0x10UL;
        eval(1, (int)IrOp.Neg, (int)I8, (int)I8, 0, args, &result);
        Assert.That(result.Lo, Is.EqualTo(0xF0UL));
        args[1] = 0x3UL;
        eval(2, (int)IrOp.Sub, (int)I32, (int)I32, 0, args, &result);
        Assert.That(result.Lo, Is.EqualTo(0xDUL));
        args[0] = 0; args[1] = 0x10UL; args[2] = 3UL;
        eval(3, (int)IrOp.QuotU, (int)I64, (int)I64, 0, args, &result);
        Assert.That(result.Lo, Is.EqualTo(5UL));
    }
}
