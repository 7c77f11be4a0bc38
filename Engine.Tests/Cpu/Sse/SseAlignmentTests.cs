using Iced.Intel;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tests.Cpu.Vector;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// Legacy SSE instructions with a 16-byte memory operand raise #GP when it is misaligned, except the unaligned moves
/// and the string compares; of the VEX forms only the aligned moves do. A faulting form must leave with
/// GeneralProtection at the instruction before changing anything; the others must match native execution.
/// </summary>
[TestFixture]
public sealed unsafe class SseAlignmentTests : VectorRunnerFixture
{
    private const int Misaligned = 8;

    private static readonly Mnemonic[] LegacyExempt =
        [Mnemonic.Movups, Mnemonic.Movupd, Mnemonic.Movdqu, Mnemonic.Lddqu,
         Mnemonic.Pcmpistri, Mnemonic.Pcmpestri, Mnemonic.Pcmpistrm, Mnemonic.Pcmpestrm, Mnemonic.Pcmpestri64, Mnemonic.Pcmpestrm64];

    private static readonly Mnemonic[] VexAligned =
        [Mnemonic.Vmovaps, Mnemonic.Vmovapd, Mnemonic.Vmovdqa, Mnemonic.Vmovntps, Mnemonic.Vmovntpd, Mnemonic.Vmovntdq, Mnemonic.Vmovntdqa];

    /// <summary>The memory forms of 16 bytes (legacy) and of 16 or 32 bytes (VEX).</summary>
    public static IEnumerable<VectorForm> Forms() =>
        VectorForm.Sse().Where(f => f.Memory && MemorySize(f) == 16)
            .Concat(VectorForm.Vex().Where(f => f.Memory && MemorySize(f) is 16 or 32));

    private static int MemorySize(VectorForm f) => VectorLiftedRunner.Decode(f.Encode(new Random(1))).MemorySize.GetSize();

    private static bool Faults(Instruction insn) => insn.Encoding == EncodingKind.VEX
        ? VexAligned.Contains(insn.Mnemonic)
        : !LegacyExempt.Contains(insn.Mnemonic);

    [TestCaseSource(nameof(Forms))]
    public void Misaligned_operand_faults_only_where_the_cpu_requires_alignment(VectorForm form)
    {
        var bytes = form.Encode(new Random((int)form.Code));
        var start = new VectorImage { Rflags = 0x202, Mxcsr = 0x1F80 };
        new Random(7).NextBytes(new Span<byte>(start.Ymm, 512));
        start.Gpr[VectorImage.Rsi] = (ulong)(Memory + Misaligned);
        var memory = new Span<byte>(Memory, MemoryBytes);
        memory.Fill(0x5A);

        var lifted = start;
        Assert.That(Lifted.Interpret(bytes, &lifted, out var exit), Is.True);
        var insn = VectorLiftedRunner.Decode(bytes);
        if (!Faults(insn))
        {
            var liftedMemory = memory.ToArray();
            memory.Fill(0x5A);
            var native = start;
            Native.Run(bytes, &native);
            Assert.That(exit.Kind, Is.EqualTo(JumpKind.Boring), insn.ToString());
            Assert.That(liftedMemory, Is.EqualTo(memory.ToArray()), insn.ToString());
            Assert.That(new Span<ulong>(lifted.Ymm, 64).ToArray(), Is.EqualTo(new Span<ulong>(native.Ymm, 64).ToArray()), insn.ToString());
        }
        else
        {
            Assert.That(exit, Is.EqualTo(new BlockExit(VectorLiftedRunner.Ip, JumpKind.GeneralProtection)), insn.ToString());
            Assert.That(memory.ToArray().All(b => b == 0x5A), Is.True, $"{insn} stored before faulting");
            Assert.That(new Span<ulong>(lifted.Ymm, 64).ToArray(), Is.EqualTo(new Span<ulong>(start.Ymm, 64).ToArray()), $"{insn} wrote a register before faulting");
        }
    }
}
