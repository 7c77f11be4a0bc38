using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// Legacy SSE instructions with a 16-byte memory operand raise #GP when it is misaligned; the
/// lifted code must leave with SigSegv at the instruction before changing anything. The
/// unaligned moves and the string compares are exempt and must match native execution instead.
/// </summary>
[TestFixture]
public sealed unsafe class SseAlignmentTests : SseRunnerFixture
{
    private static readonly Mnemonic[] Exempt =
        [Mnemonic.Movups, Mnemonic.Movupd, Mnemonic.Movdqu, Mnemonic.Lddqu,
         Mnemonic.Pcmpistri, Mnemonic.Pcmpestri, Mnemonic.Pcmpistrm, Mnemonic.Pcmpestrm, Mnemonic.Pcmpestri64, Mnemonic.Pcmpestrm64];

    public static IEnumerable<SseForm> Forms16() => SseForm.All().Where(f => f.Memory && MemorySize(f) == 16);

    private static int MemorySize(SseForm f) => LiftedRunner.Decode(f.Encode(new Random(1))).MemorySize.GetSize();

    [TestCaseSource(nameof(Forms16))]
    public void Misaligned_16_byte_operand_faults_unless_exempt(SseForm form)
    {
        var bytes = form.Encode(new Random((int)form.Code));
        var start = new CpuImage { Rflags = 0x202, Mxcsr = 0x1F80 };
        new Random(7).NextBytes(new Span<byte>(start.Xmm, 256));
        start.Gpr[CpuImage.Gprs.Length - 1] = (ulong)(Memory + 8);
        var memory = new Span<byte>(Memory, MemoryBytes);
        memory.Fill(0x5A);

        var lifted = start;
        Assert.That(Lifted.Run(bytes, &lifted, new BufferGuard((ulong)Memory, MemoryBytes), out var exit), Is.True);
        var insn = LiftedRunner.Decode(bytes);
        if (Exempt.Contains(insn.Mnemonic))
        {
            var liftedMemory = memory.ToArray();
            memory.Fill(0x5A);
            var native = start;
            Native.Run(bytes, &native);
            Assert.That(exit.Kind, Is.EqualTo(JumpKind.Boring), insn.ToString());
            Assert.That(liftedMemory, Is.EqualTo(memory.ToArray()), insn.ToString());
            Assert.That(new Span<ulong>(lifted.Xmm, 32).ToArray(), Is.EqualTo(new Span<ulong>(native.Xmm, 32).ToArray()), insn.ToString());
        }
        else
        {
            Assert.That(exit, Is.EqualTo(new BlockExit(LiftedRunner.Ip, JumpKind.GeneralProtection)), insn.ToString());
            Assert.That(memory.ToArray().All(b => b == 0x5A), Is.True, $"{insn} stored before faulting");
            Assert.That(new Span<ulong>(lifted.Xmm, 32).ToArray(), Is.EqualTo(new Span<ulong>(start.Xmm, 32).ToArray()), $"{insn} wrote a register before faulting");
        }
    }
}
