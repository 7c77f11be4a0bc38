using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// Zeroing idioms lift to constants, not depending on the register, so memcheck treats their result
/// as defined even when the register held undefined bits (as the CPU's dependency breaking and VEX do).
/// </summary>
[TestFixture]
public sealed class SseIdiomTests
{
    private static Superblock Lift(Code code, Register a, Register b)
    {
        var bytes = new List<byte>();
        var writer = new ListWriter(bytes);
        Encoder.Create(64, writer).Encode(Instruction.Create(code, a, b), LiftedRunner.Ip);
        var insn = LiftedRunner.Decode(bytes.ToArray());
        var sb = new Superblock(insn.IP);
        var ctx = new LiftContext(sb);
        ctx.Begin(insn);
        Assert.That(LifterTable.Build().Find(insn.Mnemonic)!(ctx), Is.True);
        sb.Next = IrValue.U64(insn.NextIP);
        // Dead-code elimination drops a read of the register the idiom's result does not use.
        return new Optimiser().Run(sb);
    }

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

    private sealed class ListWriter(List<byte> bytes) : CodeWriter
    {
        public override void WriteByte(byte value) => bytes.Add(value);
    }
}
