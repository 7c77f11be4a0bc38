using Memcheck.Engine.Cpu;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.MemcheckTool.Instrumentation;

/// <summary>
/// V bits through AVX, AVX2 and FMA instructions, lifted, instrumented and interpreted: lane-wise rules per 128-bit
/// half, the upper halves of YMM registers shadowed like the rest, VEX.128 writes and vzeroupper defining them.
/// </summary>
public unsafe class AvxPropagationTests
{
    private VBitMachine _m = null!;

    [SetUp]
    public void Create() => _m = new VBitMachine();

    [TearDown]
    public void Dispose() => _m.Dispose();

    private void SetYmmUpper(int index, ulong vLo, ulong vHi)
    {
        _m.SetVBits(GuestState.YmmHiOffset(index), vLo);
        _m.SetVBits(GuestState.YmmHiOffset(index) + 8, vHi);
    }

    private (ulong Lo, ulong Hi) YmmUpperVBits(int index) =>
        (_m.VBits(GuestState.YmmHiOffset(index)), _m.VBits(GuestState.YmmHiOffset(index) + 8));

    [Test]
    public void Vpcmpeqb_and_vpmovmskb_keep_the_upper_half_s_lanes_apart()
    {
        _m.SetXmm(0, 0, 0);
        _m.SetXmm(1, 0, 0);
        SetYmmUpper(0, 0x0100, 0); // byte 17 of ymm0 has one undefined bit
        SetYmmUpper(1, 0, 0);
        _m.Run(a =>
        {
            a.vpcmpeqb(ymm2, ymm0, ymm1);
            a.vpmovmskb(eax, ymm2);
        });
        Assert.That(_m.XmmVBits(2), Is.EqualTo((0UL, 0UL)));
        Assert.That(YmmUpperVBits(2), Is.EqualTo((0xFF00UL, 0UL)));
        Assert.That(_m.GprVBits(Iced.Intel.Register.RAX), Is.EqualTo(1UL << 17), "only lane 17's mask bit is undefined");
    }

    [Test]
    public void Fused_multiply_add_spoils_only_the_lanes_with_an_undefined_input()
    {
        _m.SetXmm(0, 0, 0);
        _m.SetXmm(1, 0, 0, vHi: 0x1);          // float lane 2 of ymm1 partly undefined
        _m.SetXmm(2, 0, 0);
        SetYmmUpper(0, 0, 0);
        SetYmmUpper(1, 0, 0);
        SetYmmUpper(2, 0x8000_0000_0000_0000, 0); // float lane 5 of ymm2, its sign bit
        _m.Run(a => a.vfmadd231ps(ymm0, ymm1, ymm2));
        Assert.That(_m.XmmVBits(0), Is.EqualTo((0UL, 0xFFFF_FFFFUL)));
        Assert.That(YmmUpperVBits(0), Is.EqualTo((0xFFFF_FFFF_0000_0000UL, 0UL)));
    }

    [Test]
    public void A_variable_shift_by_an_undefined_count_spoils_that_lane_alone()
    {
        _m.SetXmm(0, 0x0000_0001_0000_0001, 0x0000_0001_0000_0001, vLo: 0x0000_0000_0000_0100); // lane 0, bit 8
        _m.SetXmm(1, 0x0000_0003_0000_0004, 0, vHi: 0x0000_0001_0000_0000);                    // lane 3's count
        _m.Run(a => a.vpsllvd(xmm2, xmm0, xmm1));
        Assert.That(_m.XmmVBits(2), Is.EqualTo((0x0000_0000_0000_1000UL, 0xFFFF_FFFF_0000_0000UL)), "lane 0's bit moves by 4");
    }

    [Test]
    public void Vex128_writes_and_vzeroupper_define_the_upper_halves()
    {
        SetYmmUpper(3, ulong.MaxValue, ulong.MaxValue);
        SetYmmUpper(4, ulong.MaxValue, ulong.MaxValue);
        SetYmmUpper(5, ulong.MaxValue, ulong.MaxValue);
        _m.Run(a =>
        {
            a.vpaddd(xmm3, xmm1, xmm2);
            a.vzeroupper();
        });
        Assert.That(YmmUpperVBits(3), Is.EqualTo((0UL, 0UL)));
        Assert.That(YmmUpperVBits(4), Is.EqualTo((0UL, 0UL)));
    }

    [Test]
    public void The_vpxor_zeroing_idiom_is_defined_in_both_halves()
    {
        _m.SetXmm(6, 0, 0, vLo: ulong.MaxValue, vHi: ulong.MaxValue);
        SetYmmUpper(6, ulong.MaxValue, ulong.MaxValue);
        _m.Run(a => a.vpxor(ymm6, ymm6, ymm6));
        Assert.That(_m.XmmVBits(6), Is.EqualTo((0UL, 0UL)));
        Assert.That(YmmUpperVBits(6), Is.EqualTo((0UL, 0UL)));
    }
}
