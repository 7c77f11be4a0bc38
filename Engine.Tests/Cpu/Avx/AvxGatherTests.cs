using Iced.Intel;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tests.Cpu.Vector;

namespace Memcheck.Engine.Tests.Cpu.Avx;

/// <summary>
/// The AVX2 gathers, natively and through the translator (interpreted and compiled): random data, random masks,
/// indices that keep every element inside the buffer, each scale; destination, index and mask always distinct
/// registers. Also: a gather naming one register twice is #UD, so SIGILL.
/// </summary>
[TestFixture]
public sealed unsafe class AvxGatherTests : VectorRunnerFixture
{
    private const int Iterations = 40;
    private const int OperandOffset = 32;

    protected override int MemoryBytes => 160;

    public static IEnumerable<Code> Gathers() => Enum.GetValues<Code>().Where(c =>
        c.ToOpCode() is { Encoding: EncodingKind.VEX, Mode64: true } && c.Mnemonic().ToString() is var m
        && (m.StartsWith("Vgather", StringComparison.Ordinal) || m.StartsWith("Vpgather", StringComparison.Ordinal)));

    [TestCaseSource(nameof(Gathers))]
    public void Gather_matches_native(Code code)
    {
        var op = code.ToOpCode();
        bool ymmIndex = op.GetOpKind(1) is OpCodeOperandKind.mem_vsib32y or OpCodeOperandKind.mem_vsib64y;
        bool qwordIndex = op.GetOpKind(1) is OpCodeOperandKind.mem_vsib64x or OpCodeOperandKind.mem_vsib64y;
        bool ymmData = op.GetOpKind(0) == OpCodeOperandKind.ymm_reg;
        int seed = (int)code;
        var rng = new Random(seed);
        var memory = new Span<byte>(Memory, MemoryBytes);
        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            var registers = Enumerable.Range(0, 16).OrderBy(_ => rng.Next()).Take(3).ToArray();
            int scale = 1 << rng.Next(4), displacement = 4 * rng.Next(4);
            var dataBase = ymmData ? Register.YMM0 : Register.XMM0;
            var indexBase = ymmIndex ? Register.YMM0 : Register.XMM0;
            var insn = Instruction.Create(code, dataBase + registers[0],
                new MemoryOperand(Register.RSI, indexBase + registers[1], scale, displacement, 1), dataBase + registers[2]);
            var bytes = VectorForm.Bytes(insn);

            var start = new VectorImage();
            VectorInputs.Fill(rng, rng.Next(VectorInputs.Shapes), new Span<byte>(start.Ymm, 512));
            for (int lane = 0; lane < 8; lane++)
            {
                // Indices of 0-7 (negative ones too, with the base moved up) keep every element inside the buffer.
                long index = rng.Next(-2, 8);
                if (qwordIndex) { if (lane < 4) start.Ymm[4 * registers[1] + lane] = (ulong)index; }
                else ((int*)&start.Ymm[4 * registers[1]])[lane] = (int)index;
            }
            start.Gpr[VectorImage.Rsi] = (ulong)(Memory + OperandOffset);
            start.Rflags = 0x202;
            start.Mxcsr = 0x1F80;
            var initialMemory = new byte[MemoryBytes];
            rng.NextBytes(initialMemory);

            var native = start;
            initialMemory.CopyTo(memory);
            Native.Run(bytes, &native);
            foreach (var (how, run) in new (string, Func<VectorImage, (VectorImage, BlockExit)>)[]
                     {
                         ("interpreted", image => { Lifted.Interpret(bytes, &image, out var exit); return (image, exit); }),
                         ("compiled", image => { Lifted.Compile(bytes, &image, out var exit); return (image, exit); }),
                     })
            {
                initialMemory.CopyTo(memory);
                var (lifted, exit) = run(start);
                string context = $"{VectorLiftedRunner.Decode(bytes)} seed {seed} iteration {iteration} {how}";
                Assert.That(exit.Kind, Is.EqualTo(JumpKind.Boring), context);
                for (int r = 0; r < 16; r++) Assert.That(lifted.YmmText(r), Is.EqualTo(native.YmmText(r)), $"{context}: ymm{r}");
            }
        }
    }

    [Test]
    public void Gather_naming_a_register_twice_ends_in_sigill()
    {
        var insn = Instruction.Create(Code.VEX_Vgatherdps_ymm_vm32y_ymm, Register.YMM1,
            new MemoryOperand(Register.RSI, Register.YMM1, 4, 0, 0), Register.YMM2);
        var sb = new Memcheck.Engine.Cpu.Lifter(new BufferCodeSource(VectorLiftedRunner.Ip, VectorForm.Bytes(insn))).Lift(VectorLiftedRunner.Ip);
        Assert.That((sb.NextKind, sb.InstructionCount), Is.EqualTo((JumpKind.NoDecode, 0)));
    }
}
