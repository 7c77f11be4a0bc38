using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Ir.IrType;

// The tests sweep every immediate, so the host intrinsics are called with non-constant immediates.
#pragma warning disable CA1857

namespace Memcheck.Engine.Tests.Ir;

/// <summary>Vector ops against the host's own SSE instructions on random operands, plus lane-order facts.</summary>
public class IrEvaluatorVectorTests
{
    private static Value128 ToValue(Vector128<byte> v) => new(v.AsUInt64()[0], v.AsUInt64()[1]);

    /// <summary>Random vectors biased toward lane edge values (0, -1, min, max, NaN patterns).</summary>
    private static Vector128<byte> RandomVector(Random rng)
    {
        var bytes = new byte[16];
        rng.NextBytes(bytes);
        int mode = rng.Next(4);
        for (int i = 0; i < 16; i++)
        {
            if (mode == 1 && rng.Next(3) == 0) bytes[i] = (byte)(rng.Next(2) == 0 ? 0x80 : 0x7F);
            if (mode == 2 && rng.Next(3) == 0) bytes[i] = (byte)(rng.Next(2) == 0 ? 0x00 : 0xFF);
        }
        return Vector128.Create(bytes);
    }

    private static readonly (string Name, IrOp Op, IrType Lane, Func<Vector128<byte>, Vector128<byte>, Vector128<byte>> Native)[] BinaryCases =
    [
        ("paddb", IrOp.VAdd, I8, (a, b) => Sse2.Add(a, b)),
        ("paddw", IrOp.VAdd, I16, (a, b) => Sse2.Add(a.AsInt16(), b.AsInt16()).AsByte()),
        ("paddd", IrOp.VAdd, I32, (a, b) => Sse2.Add(a.AsInt32(), b.AsInt32()).AsByte()),
        ("paddq", IrOp.VAdd, I64, (a, b) => Sse2.Add(a.AsInt64(), b.AsInt64()).AsByte()),
        ("psubb", IrOp.VSub, I8, (a, b) => Sse2.Subtract(a, b)),
        ("psubq", IrOp.VSub, I64, (a, b) => Sse2.Subtract(a.AsInt64(), b.AsInt64()).AsByte()),
        ("paddusb", IrOp.VAddSatU, I8, (a, b) => Sse2.AddSaturate(a, b)),
        ("paddusw", IrOp.VAddSatU, I16, (a, b) => Sse2.AddSaturate(a.AsUInt16(), b.AsUInt16()).AsByte()),
        ("paddsb", IrOp.VAddSatS, I8, (a, b) => Sse2.AddSaturate(a.AsSByte(), b.AsSByte()).AsByte()),
        ("paddsw", IrOp.VAddSatS, I16, (a, b) => Sse2.AddSaturate(a.AsInt16(), b.AsInt16()).AsByte()),
        ("psubusb", IrOp.VSubSatU, I8, (a, b) => Sse2.SubtractSaturate(a, b)),
        ("psubusw", IrOp.VSubSatU, I16, (a, b) => Sse2.SubtractSaturate(a.AsUInt16(), b.AsUInt16()).AsByte()),
        ("psubsb", IrOp.VSubSatS, I8, (a, b) => Sse2.SubtractSaturate(a.AsSByte(), b.AsSByte()).AsByte()),
        ("psubsw", IrOp.VSubSatS, I16, (a, b) => Sse2.SubtractSaturate(a.AsInt16(), b.AsInt16()).AsByte()),
        ("pmullw", IrOp.VMul, I16, (a, b) => Sse2.MultiplyLow(a.AsInt16(), b.AsInt16()).AsByte()),
        ("pmulld", IrOp.VMul, I32, (a, b) => Sse41.MultiplyLow(a.AsInt32(), b.AsInt32()).AsByte()),
        ("pmulhuw", IrOp.VMulHiU, I16, (a, b) => Sse2.MultiplyHigh(a.AsUInt16(), b.AsUInt16()).AsByte()),
        ("pmulhw", IrOp.VMulHiS, I16, (a, b) => Sse2.MultiplyHigh(a.AsInt16(), b.AsInt16()).AsByte()),
        ("pcmpeqb", IrOp.VCmpEQ, I8, (a, b) => Sse2.CompareEqual(a, b)),
        ("pcmpeqd", IrOp.VCmpEQ, I32, (a, b) => Sse2.CompareEqual(a.AsInt32(), b.AsInt32()).AsByte()),
        ("pcmpeqq", IrOp.VCmpEQ, I64, (a, b) => Sse41.CompareEqual(a.AsInt64(), b.AsInt64()).AsByte()),
        ("pcmpgtb", IrOp.VCmpGTS, I8, (a, b) => Sse2.CompareGreaterThan(a.AsSByte(), b.AsSByte()).AsByte()),
        ("pcmpgtw", IrOp.VCmpGTS, I16, (a, b) => Sse2.CompareGreaterThan(a.AsInt16(), b.AsInt16()).AsByte()),
        ("pcmpgtd", IrOp.VCmpGTS, I32, (a, b) => Sse2.CompareGreaterThan(a.AsInt32(), b.AsInt32()).AsByte()),
        ("pcmpgtq", IrOp.VCmpGTS, I64, (a, b) => Sse42.CompareGreaterThan(a.AsInt64(), b.AsInt64()).AsByte()),
        ("pminub", IrOp.VMinU, I8, (a, b) => Sse2.Min(a, b)),
        ("pminsw", IrOp.VMinS, I16, (a, b) => Sse2.Min(a.AsInt16(), b.AsInt16()).AsByte()),
        ("pminsb", IrOp.VMinS, I8, (a, b) => Sse41.Min(a.AsSByte(), b.AsSByte()).AsByte()),
        ("pminud", IrOp.VMinU, I32, (a, b) => Sse41.Min(a.AsUInt32(), b.AsUInt32()).AsByte()),
        ("pmaxub", IrOp.VMaxU, I8, (a, b) => Sse2.Max(a, b)),
        ("pmaxsw", IrOp.VMaxS, I16, (a, b) => Sse2.Max(a.AsInt16(), b.AsInt16()).AsByte()),
        ("pmaxsd", IrOp.VMaxS, I32, (a, b) => Sse41.Max(a.AsInt32(), b.AsInt32()).AsByte()),
        ("pmaxuw", IrOp.VMaxU, I16, (a, b) => Sse41.Max(a.AsUInt16(), b.AsUInt16()).AsByte()),
        ("pavgb", IrOp.VAvgU, I8, (a, b) => Sse2.Average(a, b)),
        ("pavgw", IrOp.VAvgU, I16, (a, b) => Sse2.Average(a.AsUInt16(), b.AsUInt16()).AsByte()),
        ("punpcklbw", IrOp.VInterleaveLo, I8, (a, b) => Sse2.UnpackLow(a, b)),
        ("punpckhbw", IrOp.VInterleaveHi, I8, (a, b) => Sse2.UnpackHigh(a, b)),
        ("punpcklwd", IrOp.VInterleaveLo, I16, (a, b) => Sse2.UnpackLow(a.AsInt16(), b.AsInt16()).AsByte()),
        ("punpckhdq", IrOp.VInterleaveHi, I32, (a, b) => Sse2.UnpackHigh(a.AsInt32(), b.AsInt32()).AsByte()),
        ("punpcklqdq", IrOp.VInterleaveLo, I64, (a, b) => Sse2.UnpackLow(a.AsInt64(), b.AsInt64()).AsByte()),
        ("unpckhps", IrOp.VInterleaveHi, F32, (a, b) => Sse.UnpackHigh(a.AsSingle(), b.AsSingle()).AsByte()),
        ("packsswb", IrOp.VPackSS, I16, (a, b) => Sse2.PackSignedSaturate(a.AsInt16(), b.AsInt16()).AsByte()),
        ("packssdw", IrOp.VPackSS, I32, (a, b) => Sse2.PackSignedSaturate(a.AsInt32(), b.AsInt32()).AsByte()),
        ("packuswb", IrOp.VPackUS, I16, (a, b) => Sse2.PackUnsignedSaturate(a.AsInt16(), b.AsInt16())),
        ("packusdw", IrOp.VPackUS, I32, (a, b) => Sse41.PackUnsignedSaturate(a.AsInt32(), b.AsInt32()).AsByte()),
        ("pshufb", IrOp.VPermBytes, I8, (a, b) => Ssse3.Shuffle(a, b)),
        ("addps", IrOp.VFAdd, F32, (a, b) => Sse.Add(a.AsSingle(), b.AsSingle()).AsByte()),
        ("subpd", IrOp.VFSub, F64, (a, b) => Sse2.Subtract(a.AsDouble(), b.AsDouble()).AsByte()),
        ("mulps", IrOp.VFMul, F32, (a, b) => Sse.Multiply(a.AsSingle(), b.AsSingle()).AsByte()),
        ("divpd", IrOp.VFDiv, F64, (a, b) => Sse2.Divide(a.AsDouble(), b.AsDouble()).AsByte()),
        ("minps", IrOp.VFMin, F32, (a, b) => Sse.Min(a.AsSingle(), b.AsSingle()).AsByte()),
        ("maxpd", IrOp.VFMax, F64, (a, b) => Sse2.Max(a.AsDouble(), b.AsDouble()).AsByte()),
        ("vpsllvd", IrOp.VShlV, I32, (a, b) => Avx2.ShiftLeftLogicalVariable(a.AsUInt32(), SmallCounts(b).AsUInt32()).AsByte()),
        ("vpsrlvq", IrOp.VShrV, I64, (a, b) => Avx2.ShiftRightLogicalVariable(a.AsUInt64(), SmallCounts(b).AsUInt64()).AsByte()),
        ("vpsravd", IrOp.VSarV, I32, (a, b) => Avx2.ShiftRightArithmeticVariable(a.AsInt32(), SmallCounts(b).AsUInt32()).AsByte()),
    ];

    /// <summary>Variable-shift counts: each byte reduced to 0-79, so counts below, at and past the lane width all occur.</summary>
    private static Vector128<byte> SmallCounts(Vector128<byte> b)
    {
        var bytes = new byte[16];
        for (int i = 0; i < 16; i++) bytes[i] = (byte)(b[i] % 80);
        var counts = Vector128.Create(bytes).AsUInt64();
        return Vector128.Create(counts[0] & 0x0000_00FF_0000_00FF, counts[1] & 0x0000_00FF_0000_00FF).AsByte();
    }

    private static IEnumerable<TestCaseData> Binary() =>
        BinaryCases.Select(c => new TestCaseData(c.Op, c.Lane, c.Native).SetArgDisplayNames(c.Name));

    [TestCaseSource(nameof(Binary))]
    public void BinaryOpMatchesTheHostInstruction(IrOp op, IrType lane, Func<Vector128<byte>, Vector128<byte>, Vector128<byte>> native)
    {
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        for (int i = 0; i < 300; i++)
        {
            Vector128<byte> a = RandomVector(rng), b = RandomVector(rng);
            if (op is IrOp.VShlV or IrOp.VShrV or IrOp.VSarV) b = SmallCounts(b);
            var actual = IrEvaluator.Binop(op, V128, V128, lane, ToValue(a), ToValue(b));
            Assert.That(actual, Is.EqualTo(ToValue(native(a, b))), $"seed {seed}: a={ToValue(a)} b={ToValue(b)}");
        }
    }

    private static readonly (string Name, IrOp Op, IrType Lane, Func<Vector128<byte>, byte, Vector128<byte>> Native)[] CountCases =
    [
        ("psllw", IrOp.VShl, I16, (a, n) => Sse2.ShiftLeftLogical(a.AsInt16(), n).AsByte()),
        ("psrld", IrOp.VShr, I32, (a, n) => Sse2.ShiftRightLogical(a.AsInt32(), n).AsByte()),
        ("psllq", IrOp.VShl, I64, (a, n) => Sse2.ShiftLeftLogical(a.AsInt64(), n).AsByte()),
        ("psraw", IrOp.VSar, I16, (a, n) => Sse2.ShiftRightArithmetic(a.AsInt16(), n).AsByte()),
        ("psrad", IrOp.VSar, I32, (a, n) => Sse2.ShiftRightArithmetic(a.AsInt32(), n).AsByte()),
        ("pslldq", IrOp.VShiftBytesLeft, I8, (a, n) => Sse2.ShiftLeftLogical128BitLane(a, n)),
        ("psrldq", IrOp.VShiftBytesRight, I8, (a, n) => Sse2.ShiftRightLogical128BitLane(a, n)),
    ];

    private static IEnumerable<TestCaseData> Counts() =>
        CountCases.Select(c => new TestCaseData(c.Op, c.Lane, c.Native).SetArgDisplayNames(c.Name));

    [TestCaseSource(nameof(Counts))]
    public void ShiftByEveryCountMatchesTheHostInstruction(IrOp op, IrType lane, Func<Vector128<byte>, byte, Vector128<byte>> native)
    {
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        for (int count = 0; count < 80; count++)
        {
            var a = RandomVector(rng);
            var actual = IrEvaluator.Binop(op, V128, V128, lane, ToValue(a), (ulong)count);
            Assert.That(actual, Is.EqualTo(ToValue(native(a, (byte)count))), $"seed {seed}: count {count} a={ToValue(a)}");
        }
    }

    [Test]
    public void ShuffleMatchesTheHostInstructionForEveryControl()
    {
        var rng = new Random(7);
        var a = RandomVector(rng);
        var b = RandomVector(rng);
        for (int control = 0; control < 256; control++)
        {
            byte c = (byte)control;
            Assert.That(Shuffle(F32, a, b, control), Is.EqualTo(ToValue(Sse.Shuffle(a.AsSingle(), b.AsSingle(), c).AsByte())), $"shufps {c}");
            Assert.That(Shuffle(I32, a, b, control), Is.EqualTo(ToValue(Sse2.Shuffle(a.AsInt32(), c).AsByte())), $"pshufd {c}");
            Assert.That(Shuffle(I16, a, b, control), Is.EqualTo(ToValue(Sse2.ShuffleLow(a.AsInt16(), c).AsByte())), $"pshuflw {c}");
            Assert.That(Shuffle(I16, a, b, control | 0x100), Is.EqualTo(ToValue(Sse2.ShuffleHigh(a.AsInt16(), c).AsByte())), $"pshufhw {c}");
            if (control < 4)
                Assert.That(Shuffle(F64, a, b, control), Is.EqualTo(ToValue(Sse2.Shuffle(a.AsDouble(), b.AsDouble(), c).AsByte())), $"shufpd {c}");
        }
    }

    private static Value128 Shuffle(IrType lane, Vector128<byte> a, Vector128<byte> b, int control) =>
        IrEvaluator.Triop(IrOp.VShuffle, V128, V128, lane, ToValue(a), ToValue(b), (ulong)control);

    /// <summary>Predicates 0-7 are cmpps's (SSE), 0-31 vcmpps's; the IR takes 0-15 (vcmpps's 16-31 repeat them, signalling).</summary>
    [Test]
    public void FloatCompareMatchesCmppsAndVcmppsForEveryPredicate()
    {
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        Func<Vector128<float>, Vector128<float>, Vector128<float>>[] cmpps =
        [
            Sse.CompareEqual, Sse.CompareLessThan, Sse.CompareLessThanOrEqual, Sse.CompareUnordered,
            Sse.CompareNotEqual, Sse.CompareNotLessThan, Sse.CompareNotLessThanOrEqual, Sse.CompareOrdered,
        ];
        float[] specials = [0f, -0f, 1f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-40f];
        for (int i = 0; i < 200; i++)
        {
            var a = Vector128.Create(specials[rng.Next(8)], specials[rng.Next(8)], (float)rng.NextDouble(), specials[rng.Next(8)]);
            var b = Vector128.Create(specials[rng.Next(8)], specials[rng.Next(8)], (float)rng.NextDouble(), a[3]);
            for (int p = 0; p < 16; p++)
            {
                var actual = IrEvaluator.Triop(IrOp.VFCmp, V128, V128, F32, ToValue(a.AsByte()), ToValue(b.AsByte()), (ulong)p);
                Assert.That(actual, Is.EqualTo(ToValue(Avx.Compare(a, b, (FloatComparisonMode)p).AsByte())), $"seed {seed}: vcmpps predicate {p} a={a} b={b}");
                if (p < cmpps.Length)
                    Assert.That(actual, Is.EqualTo(ToValue(cmpps[p](a, b).AsByte())), $"seed {seed}: cmpps predicate {p} a={a} b={b}");
            }
        }
    }

    [Test]
    public void FusedMultiplyAddMatchesVfmaddForOrdinaryAndSpecialOperands([Values(F32, F64)] IrType lane)
    {
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        double[] specials = [0.0, -0.0, 1.0, -1.5, double.PositiveInfinity, double.NegativeInfinity, 1e-310, 3.0000001, double.NaN];
        for (int i = 0; i < 500; i++)
        {
            double Pick() => rng.Next(3) == 0 ? specials[rng.Next(specials.Length)] : (rng.NextDouble() - 0.5) * Math.Pow(2, rng.Next(-60, 60));
            Vector128<byte> a, b, c, native;
            if (lane == F32)
            {
                var x = Vector128.Create((float)Pick(), (float)Pick(), (float)Pick(), (float)Pick());
                var y = Vector128.Create((float)Pick(), (float)Pick(), (float)Pick(), (float)Pick());
                var z = Vector128.Create((float)Pick(), (float)Pick(), (float)Pick(), (float)Pick());
                (a, b, c, native) = (x.AsByte(), y.AsByte(), z.AsByte(), Fma.MultiplyAdd(x, y, z).AsByte());
            }
            else
            {
                var x = Vector128.Create(Pick(), Pick());
                var y = Vector128.Create(Pick(), Pick());
                var z = Vector128.Create(Pick(), Pick());
                (a, b, c, native) = (x.AsByte(), y.AsByte(), z.AsByte(), Fma.MultiplyAdd(x, y, z).AsByte());
            }
            var actual = IrEvaluator.Triop(IrOp.VFMulAdd, V128, V128, lane, ToValue(a), ToValue(b), ToValue(c));
            Assert.That(actual, Is.EqualTo(ToValue(native)), $"seed {seed}: a={ToValue(a)} b={ToValue(b)} c={ToValue(c)}");
        }
    }

    [Test]
    public void MoveMaskTakesEachLanesTopBit()
    {
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        for (int i = 0; i < 200; i++)
        {
            var a = RandomVector(rng);
            Assert.That(IrEvaluator.Unop(IrOp.VMoveMask, I32, V128, I8, ToValue(a)).Lo, Is.EqualTo((ulong)Sse2.MoveMask(a)), $"seed {seed}");
            Assert.That(IrEvaluator.Unop(IrOp.VMoveMask, I32, V128, F32, ToValue(a)).Lo, Is.EqualTo((ulong)Sse.MoveMask(a.AsSingle())), $"seed {seed}");
            Assert.That(IrEvaluator.Unop(IrOp.VMoveMask, I32, V128, F64, ToValue(a)).Lo, Is.EqualTo((ulong)Sse2.MoveMask(a.AsDouble())), $"seed {seed}");
        }
    }

    [Test]
    public void SplatFillsEveryLane()
    {
        Assert.That(IrEvaluator.Unop(IrOp.VSplat, V128, I8, I8, 0xABUL), Is.EqualTo(new Value128(0xABABABABABABABAB, 0xABABABABABABABAB)));
        Assert.That(IrEvaluator.Unop(IrOp.VSplat, V128, I32, None, 0x12345678UL), Is.EqualTo(new Value128(0x1234567812345678, 0x1234567812345678)));
    }

    [Test]
    public void ExtractAndInsertAddressLanesFromTheLowEnd()
    {
        var v = new Value128(0x0706050403020100, 0x0F0E0D0C0B0A0908);
        Assert.That(IrEvaluator.Binop(IrOp.VExtractLane, I8, V128, I8, v, 9UL).Lo, Is.EqualTo(0x09UL));
        Assert.That(IrEvaluator.Binop(IrOp.VExtractLane, I16, V128, I16, v, 3UL).Lo, Is.EqualTo(0x0706UL));
        Assert.That(IrEvaluator.Binop(IrOp.VExtractLane, I32, V128, I32, v, 2UL).Lo, Is.EqualTo(0x0B0A0908UL));
        Assert.That(IrEvaluator.Binop(IrOp.VExtractLane, F64, V128, F64, v, 1UL).Lo, Is.EqualTo(0x0F0E0D0C0B0A0908UL));
        Assert.That(IrEvaluator.Triop(IrOp.VInsertLane, V128, V128, I16, v, 5UL, 0xBEEFUL),
            Is.EqualTo(new Value128(0x0706050403020100, 0x0F0E0D0CBEEF0908)));
        Assert.That(IrEvaluator.Triop(IrOp.VInsertLane, V128, V128, I64, v, 0UL, 0x1UL),
            Is.EqualTo(new Value128(1, 0x0F0E0D0C0B0A0908)));
    }
}
