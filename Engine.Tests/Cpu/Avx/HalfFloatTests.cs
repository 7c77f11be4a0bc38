using Iced.Intel;
using Memcheck.Engine.Cpu.Avx;
using Memcheck.Engine.Tests.Cpu.Vector;

namespace Memcheck.Engine.Tests.Cpu.Avx;

/// <summary>
/// The binary16 conversions against the CPU's vcvtps2ph/vcvtph2ps on values around every boundary: subnormal and
/// normal ranges, halfway cases for each rounding mode, overflow, NaN payloads. Every half is checked exhaustively.
/// </summary>
[TestFixture]
public sealed unsafe class HalfFloatTests
{
    private VectorNativeRunner _native = null!;

    [OneTimeSetUp]
    public void SetUp() => _native = new VectorNativeRunner();

    [OneTimeTearDown]
    public void TearDown() => _native.Dispose();

    /// <summary>Singles near the half boundaries: 2^-25 .. 2^16 with the low bits that decide rounding, both signs.</summary>
    private static IEnumerable<uint> Singles(Random rng)
    {
        for (int exponent = 127 - 26; exponent <= 127 + 17; exponent++)
            foreach (uint low in new uint[] { 0, 1, 0xFFF, 0x1000, 0x1001, 0x1FFF, 0x2000, 0x3000, 0x7F_FFFF, (uint)rng.Next(0x80_0000) })
                foreach (uint sign in new uint[] { 0, 0x8000_0000 })
                    yield return sign | (uint)exponent << 23 | low;
        foreach (uint special in new uint[] { 0, 1, 0x7F80_0000, 0x7F80_0001, 0x7FC0_1234, 0xFFBF_FFFF, 0x0080_0000, 0x477F_F000, 0x477F_EFFF })
            yield return special;
    }

    [TestCase(0), TestCase(1), TestCase(2), TestCase(3)]
    public void Single_to_half_rounds_as_the_cpu(int mode)
    {
        var bytes = VectorForm.Bytes(Instruction.Create(Code.VEX_Vcvtps2ph_xmmm128_ymm_imm8, Register.XMM1, Register.YMM0, mode));
        var singles = Singles(new Random(mode)).ToArray();
        for (int start = 0; start < singles.Length; start += 8)
        {
            var image = new VectorImage { Mxcsr = 0x1F80 };
            for (int i = 0; i < 8; i++) ((uint*)image.Ymm)[i] = singles[(start + i) % singles.Length];
            _native.Run(bytes, &image);
            for (int i = 0; i < 8; i++)
            {
                uint single = singles[(start + i) % singles.Length];
                Assert.That(HalfFloat.FromSingle(single, mode), Is.EqualTo(((ushort*)&image.Ymm[4])[i]), $"single 0x{single:x8} mode {mode}");
            }
        }
    }

    [Test]
    public void Every_half_widens_as_the_cpu()
    {
        var bytes = VectorForm.Bytes(Instruction.Create(Code.VEX_Vcvtph2ps_ymm_xmmm128, Register.YMM1, Register.XMM0));
        for (int start = 0; start < 0x10000; start += 8)
        {
            var image = new VectorImage { Mxcsr = 0x1F80 };
            for (int i = 0; i < 8; i++) ((ushort*)image.Ymm)[i] = (ushort)(start + i);
            _native.Run(bytes, &image);
            for (int i = 0; i < 8; i++)
                Assert.That(HalfFloat.ToSingle((ushort)(start + i)), Is.EqualTo(((uint*)&image.Ymm[4])[i]), $"half 0x{start + i:x4}");
        }
    }
}
