using Memcheck.Engine.Ir;
using static Memcheck.Engine.Ir.IrType;

namespace Memcheck.Engine.Tests.Ir;

public class IrEvaluatorIntegerTests
{
    private static ulong Bin(IrOp op, IrType type, ulong a, ulong b) =>
        IrEvaluator.Binop(op, type, type, None, a, b).Lo;

    private static ulong Cmp(IrOp op, IrType type, ulong a, ulong b) =>
        IrEvaluator.Binop(op, I1, type, None, a, b).Lo;

    private static ulong Un(IrOp op, IrType result, IrType arg, ulong a) =>
        IrEvaluator.Unop(op, result, arg, None, a).Lo;

    [TestCase(IrOp.Add, I8, 0xFFUL, 1UL, 0UL)]
    [TestCase(IrOp.Add, I32, 0xFFFF_FFFFUL, 2UL, 1UL)]
    [TestCase(IrOp.Add, I64, ulong.MaxValue, 1UL, 0UL)]
    [TestCase(IrOp.Sub, I16, 0UL, 1UL, 0xFFFFUL)]
    [TestCase(IrOp.Sub, I8, 0x80UL, 1UL, 0x7FUL)]
    [TestCase(IrOp.Mul, I32, 0x10000UL, 0x10000UL, 0UL)]
    [TestCase(IrOp.Mul, I64, 0xFFFF_FFFF_FFFF_FFFFUL, 3UL, 0xFFFF_FFFF_FFFF_FFFDUL)]
    [TestCase(IrOp.MulHiU, I64, ulong.MaxValue, ulong.MaxValue, 0xFFFF_FFFF_FFFF_FFFEUL)]
    [TestCase(IrOp.MulHiS, I64, ulong.MaxValue, ulong.MaxValue, 0UL)]
    [TestCase(IrOp.MulHiS, I64, 0x8000_0000_0000_0000UL, 2UL, ulong.MaxValue)]
    [TestCase(IrOp.MulHiU, I32, 0xFFFF_FFFFUL, 0xFFFF_FFFFUL, 0xFFFF_FFFEUL)]
    [TestCase(IrOp.MulHiS, I32, 0xFFFF_FFFFUL, 0xFFFF_FFFFUL, 0UL)]
    [TestCase(IrOp.MulHiS, I8, 0x80UL, 0x80UL, 0x40UL)]
    [TestCase(IrOp.MulHiU, I16, 0xFFFFUL, 2UL, 1UL)]
    [TestCase(IrOp.And, I16, 0xF0F0UL, 0xFF00UL, 0xF000UL)]
    [TestCase(IrOp.Or, I8, 0x0FUL, 0xF0UL, 0xFFUL)]
    [TestCase(IrOp.Xor, I64, ulong.MaxValue, 1UL, 0xFFFF_FFFF_FFFF_FFFEUL)]
    [TestCase(IrOp.Shl, I32, 0x8000_0001UL, 1UL, 2UL)]
    [TestCase(IrOp.Shl, I8, 0xFFUL, 7UL, 0x80UL)]
    [TestCase(IrOp.Shl, I64, 1UL, 63UL, 0x8000_0000_0000_0000UL)]
    [TestCase(IrOp.Shl, I64, 5UL, 0UL, 5UL)]
    [TestCase(IrOp.Shr, I16, 0x8000UL, 15UL, 1UL)]
    [TestCase(IrOp.Shr, I64, 0x8000_0000_0000_0000UL, 63UL, 1UL)]
    [TestCase(IrOp.Sar, I8, 0x80UL, 7UL, 0xFFUL)]
    [TestCase(IrOp.Sar, I16, 0x8000UL, 4UL, 0xF800UL)]
    [TestCase(IrOp.Sar, I32, 0x4000_0000UL, 30UL, 1UL)]
    [TestCase(IrOp.Sar, I64, 0x8000_0000_0000_0000UL, 63UL, ulong.MaxValue)]
    [TestCase(IrOp.Sar, I64, 0x8000_0000_0000_0000UL, 0UL, 0x8000_0000_0000_0000UL)]
    [TestCase(IrOp.Rol, I8, 0x81UL, 1UL, 0x03UL)]
    [TestCase(IrOp.Rol, I16, 0x8001UL, 0UL, 0x8001UL)]
    [TestCase(IrOp.Rol, I32, 0x8000_0001UL, 31UL, 0xC000_0000UL)]
    [TestCase(IrOp.Rol, I64, 0x8000_0000_0000_0001UL, 4UL, 0x18UL)]
    [TestCase(IrOp.Ror, I8, 0x81UL, 1UL, 0xC0UL)]
    [TestCase(IrOp.Ror, I32, 1UL, 0UL, 1UL)]
    [TestCase(IrOp.Ror, I64, 1UL, 63UL, 2UL)]
    public void IntegerBinop(IrOp op, IrType type, ulong a, ulong b, ulong expected) =>
        Assert.That(Bin(op, type, a, b), Is.EqualTo(expected));

    [TestCase(IrOp.CmpEQ, I32, 5UL, 5UL, 1UL)]
    [TestCase(IrOp.CmpNE, I32, 5UL, 5UL, 0UL)]
    [TestCase(IrOp.CmpLTU, I8, 0x7FUL, 0x80UL, 1UL)]
    [TestCase(IrOp.CmpLTS, I8, 0x7FUL, 0x80UL, 0UL)]
    [TestCase(IrOp.CmpLTS, I16, 0x8000UL, 0x7FFFUL, 1UL)]
    [TestCase(IrOp.CmpLTS, I32, 0xFFFF_FFFFUL, 0UL, 1UL)]
    [TestCase(IrOp.CmpLTS, I64, 0UL, ulong.MaxValue, 0UL)]
    [TestCase(IrOp.CmpLEU, I64, 3UL, 3UL, 1UL)]
    [TestCase(IrOp.CmpLES, I64, ulong.MaxValue, 0UL, 1UL)]
    [TestCase(IrOp.CmpLES, I8, 1UL, 0xFFUL, 0UL)]
    public void ComparisonGivesI1(IrOp op, IrType type, ulong a, ulong b, ulong expected) =>
        Assert.That(Cmp(op, type, a, b), Is.EqualTo(expected));

    [TestCase(IrOp.Not, I8, I8, 0x0FUL, 0xF0UL)]
    [TestCase(IrOp.Not, I1, I1, 1UL, 0UL)]
    [TestCase(IrOp.Not, I1, I1, 0UL, 1UL)]
    [TestCase(IrOp.Neg, I32, I32, 1UL, 0xFFFF_FFFFUL)]
    [TestCase(IrOp.Neg, I8, I8, 0x80UL, 0x80UL)]
    [TestCase(IrOp.ZeroExtend, I64, I1, 1UL, 1UL)]
    [TestCase(IrOp.ZeroExtend, I64, I32, 0xFFFF_FFFFUL, 0xFFFF_FFFFUL)]
    [TestCase(IrOp.SignExtend, I64, I32, 0x8000_0000UL, 0xFFFF_FFFF_8000_0000UL)]
    [TestCase(IrOp.SignExtend, I32, I8, 0x80UL, 0xFFFF_FF80UL)]
    [TestCase(IrOp.SignExtend, I16, I8, 0x7FUL, 0x7FUL)]
    [TestCase(IrOp.SignExtend, I64, I1, 1UL, ulong.MaxValue)]
    [TestCase(IrOp.Truncate, I8, I64, 0x1234UL, 0x34UL)]
    [TestCase(IrOp.Truncate, I1, I32, 0x3UL, 1UL)]
    [TestCase(IrOp.Truncate, I1, I32, 0x2UL, 0UL)]
    [TestCase(IrOp.HighHalf, I32, I64, 0x1122_3344_5566_7788UL, 0x1122_3344UL)]
    [TestCase(IrOp.HighHalf, I8, I16, 0xABCDUL, 0xABUL)]
    [TestCase(IrOp.Clz, I64, I64, 0UL, 64UL)]
    [TestCase(IrOp.Clz, I32, I32, 0UL, 32UL)]
    [TestCase(IrOp.Clz, I16, I16, 1UL, 15UL)]
    [TestCase(IrOp.Clz, I32, I32, 0x8000_0000UL, 0UL)]
    [TestCase(IrOp.Ctz, I64, I64, 0UL, 64UL)]
    [TestCase(IrOp.Ctz, I16, I16, 0UL, 16UL)]
    [TestCase(IrOp.Ctz, I32, I32, 0x8000_0000UL, 31UL)]
    [TestCase(IrOp.Popcount, I64, I64, ulong.MaxValue, 64UL)]
    [TestCase(IrOp.Popcount, I16, I16, 0x8001UL, 2UL)]
    [TestCase(IrOp.ByteSwap, I32, I32, 0x1122_3344UL, 0x4433_2211UL)]
    [TestCase(IrOp.ByteSwap, I64, I64, 0x0102_0304_0506_0708UL, 0x0807_0605_0403_0201UL)]
    [TestCase(IrOp.ByteSwap, I16, I16, 0x1122UL, 0x2211UL)]
    [TestCase(IrOp.Bitcast, F64, I64, 0x3FF0_0000_0000_0000UL, 0x3FF0_0000_0000_0000UL)]
    public void IntegerUnop(IrOp op, IrType result, IrType arg, ulong a, ulong expected) =>
        Assert.That(Un(op, result, arg, a), Is.EqualTo(expected));

    [Test]
    public void WideSignExtendFillsTheHighHalf() =>
        Assert.That(IrEvaluator.Unop(IrOp.SignExtend, I128, I64, None, 0x8000_0000_0000_0000UL),
            Is.EqualTo(new Value128(0x8000_0000_0000_0000UL, ulong.MaxValue)));

    [Test]
    public void HighHalfOfI128IsItsHi() =>
        Assert.That(Un(IrOp.HighHalf, I64, I128, 0) + IrEvaluator.Unop(IrOp.HighHalf, I64, V128, None, new Value128(1, 7)).Lo, Is.EqualTo(7UL));

    [Test]
    public void ConcatPutsTheFirstOperandHigh()
    {
        Assert.That(IrEvaluator.Binop(IrOp.Concat, I128, I64, None, 0xAAUL, 0xBBUL), Is.EqualTo(new Value128(0xBB, 0xAA)));
        Assert.That(IrEvaluator.Binop(IrOp.Concat, I64, I32, None, 0x1111_2222UL, 0x3333_4444UL).Lo, Is.EqualTo(0x1111_2222_3333_4444UL));
        Assert.That(IrEvaluator.Binop(IrOp.Concat, I16, I8, None, 0xABUL, 0xCDUL).Lo, Is.EqualTo(0xABCDUL));
    }

    [Test]
    public void WideArithmeticCarriesAcrossHalves()
    {
        var one = new Value128(1, 0);
        Assert.That(IrEvaluator.Binop(IrOp.Add, I128, I128, None, new Value128(ulong.MaxValue, 0), one), Is.EqualTo(new Value128(0, 1)));
        Assert.That(IrEvaluator.Binop(IrOp.Sub, I128, I128, None, new Value128(0, 1), one), Is.EqualTo(new Value128(ulong.MaxValue, 0)));
        Assert.That(IrEvaluator.Binop(IrOp.Xor, V128, V128, None, new Value128(3, 5), new Value128(1, 4)), Is.EqualTo(new Value128(2, 1)));
        Assert.That(IrEvaluator.Unop(IrOp.Not, V128, V128, None, new Value128(0, ulong.MaxValue)), Is.EqualTo(new Value128(ulong.MaxValue, 0)));
        Assert.That(IrEvaluator.Binop(IrOp.Shl, I128, I128, None, new Value128(0x8000_0000_0000_0001, 0), 1UL), Is.EqualTo(new Value128(2, 1)));
        Assert.That(IrEvaluator.Binop(IrOp.CmpEQ, I1, V128, None, new Value128(1, 2), new Value128(1, 3)).Lo, Is.EqualTo(0UL));
    }

    private static ulong Tri(IrOp op, IrType type, ulong hi, ulong lo, ulong divisor) =>
        IrEvaluator.Triop(op, op is IrOp.DivFaultsU or IrOp.DivFaultsS ? I1 : type, type, None, hi, lo, divisor).Lo;

    [TestCase(I64, 0UL, 100UL, 7UL, 14UL, 2UL)]
    [TestCase(I64, 1UL, 0UL, 2UL, 0x8000_0000_0000_0000UL, 0UL)]
    [TestCase(I32, 0UL, 0xFFFF_FFFFUL, 0x10UL, 0x0FFF_FFFFUL, 0xFUL)]
    [TestCase(I32, 0xFUL, 0xFFFF_FFFFUL, 0x10UL, 0xFFFF_FFFFUL, 0xFUL)]
    [TestCase(I8, 0x01UL, 0x00UL, 0x03UL, 0x55UL, 1UL)]
    [TestCase(I16, 0x0001UL, 0x0000UL, 0x0002UL, 0x8000UL, 0UL)]
    public void UnsignedDivision(IrType type, ulong hi, ulong lo, ulong divisor, ulong quotient, ulong remainder)
    {
        Assert.That(Tri(IrOp.QuotU, type, hi, lo, divisor), Is.EqualTo(quotient));
        Assert.That(Tri(IrOp.RemU, type, hi, lo, divisor), Is.EqualTo(remainder));
        Assert.That(Tri(IrOp.DivFaultsU, type, hi, lo, divisor), Is.EqualTo(0UL));
    }

    [TestCase(I64, ulong.MaxValue, ulong.MaxValue - 99, 7UL, 0xFFFF_FFFF_FFFF_FFF2UL, 0xFFFF_FFFF_FFFF_FFFEUL)] // -100 / 7
    [TestCase(I64, 0UL, 100UL, ulong.MaxValue, 0xFFFF_FFFF_FFFF_FF9CUL, 0UL)]                                 // 100 / -1
    [TestCase(I32, 0xFFFF_FFFFUL, 0xFFFF_FFF9UL, 2UL, 0xFFFF_FFFDUL, 0xFFFF_FFFFUL)]                          // -7 / 2
    [TestCase(I8, 0xFFUL, 0x81UL, 0xFFUL, 0x7FUL, 0x00UL)]                                                    // -127 / -1
    [TestCase(I16, 0xFFFFUL, 0x8000UL, 0x0001UL, 0x8000UL, 0UL)]                                              // -32768 / 1
    public void SignedDivisionTruncatesTowardZero(IrType type, ulong hi, ulong lo, ulong divisor, ulong quotient, ulong remainder)
    {
        Assert.That(Tri(IrOp.QuotS, type, hi, lo, divisor), Is.EqualTo(quotient));
        Assert.That(Tri(IrOp.RemS, type, hi, lo, divisor), Is.EqualTo(remainder));
        Assert.That(Tri(IrOp.DivFaultsS, type, hi, lo, divisor), Is.EqualTo(0UL));
    }

    [TestCase(IrOp.DivFaultsU, I64, 0UL, 5UL, 0UL)]
    [TestCase(IrOp.DivFaultsU, I64, 2UL, 0UL, 2UL)]
    [TestCase(IrOp.DivFaultsU, I32, 0x10UL, 0UL, 0x10UL)]
    [TestCase(IrOp.DivFaultsU, I8, 0x01UL, 0UL, 0x01UL)]
    [TestCase(IrOp.DivFaultsS, I64, 0UL, 5UL, 0UL)]
    [TestCase(IrOp.DivFaultsS, I64, 0xFFFF_FFFF_FFFF_FFFFUL, 0x8000_0000_0000_0000UL, 0xFFFF_FFFF_FFFF_FFFFUL)] // MIN / -1
    [TestCase(IrOp.DivFaultsS, I64, 0x8000_0000_0000_0000UL, 0UL, 0xFFFF_FFFF_FFFF_FFFFUL)]                     // Int128.MinValue / -1
    [TestCase(IrOp.DivFaultsS, I32, 0UL, 0x8000_0000UL, 1UL)]                                                      // +2^31 / 1
    [TestCase(IrOp.DivFaultsS, I32, 0xFFFF_FFFFUL, 0x8000_0000UL, 0xFFFF_FFFFUL)]                                  // -2^31 / -1
    [TestCase(IrOp.DivFaultsS, I8, 0x00UL, 0x80UL, 0x01UL)]                                                        // 128 / 1
    public void DivisionThatWouldRaiseDivideErrorIsDetected(IrOp op, IrType type, ulong hi, ulong lo, ulong divisor)
    {
        Assert.That(Tri(op, type, hi, lo, divisor), Is.EqualTo(1UL));
        var quotient = op == IrOp.DivFaultsU ? IrOp.QuotU : IrOp.QuotS;
        Assert.That(() => Tri(quotient, type, hi, lo, divisor), Throws.Nothing, "evaluation stays total");
    }

    [Test]
    public void RandomisedNarrowOpsAgreeWithTheWideComputationMasked()
    {
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        IrType[] types = [I8, I16, I32];
        for (int i = 0; i < 2000; i++)
        {
            var type = types[rng.Next(types.Length)];
            int bits = type.Bits();
            ulong mask = type.Mask();
            ulong a = (ulong)rng.NextInt64() & mask, b = (ulong)rng.NextInt64() & mask;
            long sa = IrEvaluator.SignExtend(a, bits), sb = IrEvaluator.SignExtend(b, bits);
            string why = $"seed {seed}: {type} a=0x{a:x} b=0x{b:x}";
            Assert.That(Bin(IrOp.Add, type, a, b), Is.EqualTo((a + b) & mask), why);
            Assert.That(Bin(IrOp.Mul, type, a, b), Is.EqualTo((a * b) & mask), why);
            Assert.That(Bin(IrOp.MulHiS, type, a, b), Is.EqualTo((ulong)((sa * sb) >> bits) & mask), why);
            Assert.That(Cmp(IrOp.CmpLTS, type, a, b), Is.EqualTo(sa < sb ? 1UL : 0UL), why);
            int amount = (int)(b % (ulong)bits);
            Assert.That(Bin(IrOp.Sar, type, a, (ulong)amount), Is.EqualTo((ulong)(sa >> amount) & mask), why);
            if (b != 0)
            {
                Assert.That(Tri(IrOp.QuotS, type, sa < 0 ? mask : 0, a, b), Is.EqualTo(sb == -1 && sa == -(1L << (bits - 1)) ? 0 : (ulong)(sa / sb) & mask), why);
                Assert.That(Tri(IrOp.RemU, type, 0, a, b), Is.EqualTo(a % b), why);
            }
        }
    }
}
