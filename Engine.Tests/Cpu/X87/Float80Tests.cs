using Iced.Intel;
using Memcheck.Engine.Cpu.X87;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu.X87;

public sealed unsafe class Float80Tests
{
    [TestCase(0x8000_0000_0000_0000UL, (ushort)0x3FFF, 0x3FF0_0000_0000_0000UL, TestName = "One")]
    [TestCase(0xC000_0000_0000_0000UL, (ushort)0xC000, 0xC008_0000_0000_0000UL, TestName = "MinusThree")]
    [TestCase(0xC90F_DAA2_2168_C235UL, (ushort)0x4000, 0x4009_21FB_5444_2D18UL, TestName = "PiRoundsToF64Pi")]
    [TestCase(0x8000_0000_0000_0000UL, (ushort)0x7FFF, 0x7FF0_0000_0000_0000UL, TestName = "Infinity")]
    [TestCase(0xC000_0000_0000_0000UL, (ushort)0xFFFF, 0xFFF8_0000_0000_0000UL, TestName = "Indefinite")]
    [TestCase(0x0000_0000_0000_0000UL, (ushort)0x8000, 0x8000_0000_0000_0000UL, TestName = "MinusZero")]
    [TestCase(0x8000_0000_0000_0000UL, (ushort)0x3BCD, 0x0000_0000_0000_0001UL, TestName = "SmallestF64Denormal")]
    [TestCase(0x8000_0000_0000_0000UL, (ushort)0x3BCC, 0x0000_0000_0000_0000UL, TestName = "HalfSmallestDenormalTiesToZero")]
    [TestCase(0xC000_0000_0000_0000UL, (ushort)0x3BCC, 0x0000_0000_0000_0001UL, TestName = "ThreeQuartersSmallestDenormalRoundsUp")]
    [TestCase(0x8000_0000_0000_0000UL, (ushort)0x43FF, 0x7FF0_0000_0000_0000UL, TestName = "OverflowToInfinity")]
    [TestCase(0xFFFF_FFFF_FFFF_FFFFUL, (ushort)0x43FE, 0x7FF0_0000_0000_0000UL, TestName = "RoundingUpOverflowsToInfinity")]
    [TestCase(0x4000_0000_0000_0000UL, (ushort)0x3FFF, 0xFFF8_0000_0000_0000UL, TestName = "UnnormalIsIndefinite")]
    [TestCase(0x8000_0000_0000_0001UL, (ushort)0x0000, 0x0000_0000_0000_0000UL, TestName = "PseudoDenormalUnderflowsToZero")]
    [TestCase(0x0000_0000_0000_0000UL, (ushort)0x7FFF, 0xFFF8_0000_0000_0000UL, TestName = "PseudoInfinityIsIndefinite")]
    [TestCase(0x8000_0000_0000_0400UL, (ushort)0x3FFF, 0x3FF0_0000_0000_0000UL, TestName = "TieRoundsToEvenDown")]
    [TestCase(0x8000_0000_0000_0C00UL, (ushort)0x3FFF, 0x3FF0_0000_0000_0002UL, TestName = "TieRoundsToEvenUp")]
    public void ToF64Bits_KnownPatterns(ulong significand, ushort signExponent, ulong expected) =>
        Assert.That(Float80.ToF64Bits(significand, signExponent), Is.EqualTo(expected).Using<ulong>((a, b) => a == b),
            $"got 0x{Float80.ToF64Bits(significand, signExponent):x16}");

    [TestCase(0x3FF0_0000_0000_0000UL, 0x8000_0000_0000_0000UL, (ushort)0x3FFF, TestName = "FromOne")]
    [TestCase(0x0000_0000_0000_0001UL, 0x8000_0000_0000_0000UL, (ushort)0x3BCD, TestName = "FromSmallestDenormal")]
    [TestCase(0x800F_FFFF_FFFF_FFFFUL, 0xFFFF_FFFF_FFFF_F000UL, (ushort)0xBC00, TestName = "FromLargestNegativeDenormal")]
    [TestCase(0xFFF0_0000_0000_0000UL, 0x8000_0000_0000_0000UL, (ushort)0xFFFF, TestName = "FromMinusInfinity")]
    [TestCase(0x7FF8_0000_0000_0001UL, 0xC000_0000_0000_0800UL, (ushort)0x7FFF, TestName = "FromQuietNaNKeepsPayload")]
    public void FromF64Bits_KnownPatterns(ulong bits, ulong significand, ushort signExponent) =>
        Assert.That(Float80.FromF64Bits(bits), Is.EqualTo((significand, signExponent)));

    [Test]
    public void ToF64Bits_MatchesTheCpuOnRandomPatterns([Values(1, 2, 3)] int seed)
    {
        var asm = new Assembler(64);
        asm.fld(__tword_ptr[rdi]);
        asm.fstp(__qword_ptr[rsi]);
        asm.ret();
        using var code = new NativeCode(asm);
        var random = new Random(seed);
        byte* input = stackalloc byte[16];
        ulong native;
        for (int i = 0; i < 20000; i++)
        {
            ulong significand = (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
            // Mostly exponents near the F64 range and its edges, some anywhere.
            int exponent = random.Next(4) == 0 ? random.Next(0x8000) : 16383 + random.Next(-1100, 1100);
            ushort signExponent = (ushort)(exponent | (random.Next(2) << 15));
            *(ulong*)input = significand;
            *(ushort*)(input + 8) = signExponent;
            code.Function(input, &native);
            ulong ours = Float80.ToF64Bits(significand, signExponent);
            if (ours != native)
                Assert.Fail($"seed {seed}: 0x{signExponent:x4}_{significand:x16} -> ours 0x{ours:x16}, cpu 0x{native:x16}");
        }
    }

    [Test]
    public void FromF64Bits_MatchesTheCpuOnRandomPatterns([Values(1, 2, 3)] int seed)
    {
        var asm = new Assembler(64);
        asm.fld(__qword_ptr[rdi]);
        asm.fstp(__tword_ptr[rsi]);
        asm.ret();
        using var code = new NativeCode(asm);
        var random = new Random(seed);
        byte* output = stackalloc byte[16];
        for (int i = 0; i < 20000; i++)
        {
            ulong bits = (ulong)random.NextInt64() ^ ((ulong)random.Next(2) << 63);
            if (random.Next(4) == 0) bits &= 0x800F_FFFF_FFFF_FFFF; // denormals
            else if (random.Next(8) == 0) bits |= 0x7FF0_0000_0000_0000; // infinities and NaNs
            if ((bits & 0x7FF0_0000_0000_0000) == 0x7FF0_0000_0000_0000 && (bits & 0x000F_FFFF_FFFF_FFFF) != 0)
                bits |= 1UL << 51; // the CPU quietens signalling NaNs on load; the model keeps the pattern
            code.Function(&bits, output);
            var (significand, signExponent) = Float80.FromF64Bits(bits);
            if (significand != *(ulong*)output || signExponent != *(ushort*)(output + 8))
                Assert.Fail($"seed {seed}: 0x{bits:x16} -> ours 0x{signExponent:x4}_{significand:x16}, " +
                            $"cpu 0x{*(ushort*)(output + 8):x4}_{*(ulong*)output:x16}");
        }
    }
}
