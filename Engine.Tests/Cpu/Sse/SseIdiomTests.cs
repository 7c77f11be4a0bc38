using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tests.Cpu.Vector;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// Zeroing idioms lift to constants, not depending on the register, so memcheck treats their result
/// as defined even when the register held undefined bits (as the CPU's dependency breaking and VEX do).
/// </summary>
[TestFixture]
public sealed class SseIdiomTests
{
    /// <summary>The instruction's block, optimised: dead-code elimination drops a read of the register the idiom's result does not use.</summary>
    private static Superblock Lift(Code code, Register a, Register b) =>
        new Optimiser().Run(VectorLiftedRunner.Lift(VectorForm.Bytes(Instruction.Create(code, a, b)))!);

    [TestCase(Code.Pxor_xmm_xmmm128, 0UL), TestCase(Code.Xorps_xmm_xmmm128, 0UL), TestCase(Code.Xorpd_xmm_xmmm128, 0UL),
     TestCase(Code.Psubb_xmm_xmmm128, 0UL), TestCase(Code.Psubq_xmm_xmmm128, 0UL), TestCase(Code.Pandn_xmm_xmmm128, 0UL),
     TestCase(Code.Pcmpgtd_xmm_xmmm128, 0UL), TestCase(Code.Pcmpeqb_xmm_xmmm128, ulong.MaxValue), TestCase(Code.Pcmpeqd_xmm_xmmm128, ulong.MaxValue)]
    public void Same_register_idiom_is_a_constant(Code code, ulong half)
    {
        var sb = Lift(code, Register.XMM3, Register.XMM3);
        var stmts = sb.Statements.ToArray();
        Assert.That(stmts.Any(s => s.Kind == StmtKind.Get), Is.False, sb.ToString());
        var put = stmts.Single(s => s.Kind == StmtKind.Put);
        Assert.That((put.Offset, put.A.IsConst, put.A.Const, put.A.ConstHi), Is.EqualTo((GuestState.XmmOffset(3), true, half, half)));
    }

    [Test]
    public void Different_registers_are_not_an_idiom()
    {
        var sb = Lift(Code.Pxor_xmm_xmmm128, Register.XMM3, Register.XMM4);
        Assert.That(sb.Statements.ToArray().Count(s => s.Kind == StmtKind.Get), Is.EqualTo(2), sb.ToString());
    }
}
