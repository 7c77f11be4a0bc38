using Iced.Intel;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tests.Cpu.Vector;

namespace Memcheck.Engine.Tests.Cpu.Avx;

/// <summary>
/// xsave and xrstor with every requested-feature mask, natively and through the translator (interpreted and
/// compiled): the SSE and AVX components, MXCSR, the header's XSTATE_BV for them, and which bytes stay untouched.
/// The host's x87 state is the runtime's, so natively only x87's control, status and tag words are compared, and
/// xrstor's x87 component is checked by a round trip through the lifted xsave instead of on the CPU.
/// </summary>
[TestFixture]
public sealed unsafe class XsaveTests : VectorRunnerFixture
{
    private const int AreaBytes = 0x340;
    private const int Header = 512, Avx = 576;

    /// <summary>The xsave area and, after it, the lifted guest's stack top.</summary>
    protected override int MemoryBytes => AreaBytes + 64;

    private static byte[] Encode(Code code) => VectorForm.Bytes(Instruction.Create(code, new MemoryOperand(Register.RSI)));

    private VectorImage Start(Random rng, ulong mask)
    {
        var image = new VectorImage { Rflags = 0x202, Mxcsr = 0x1F80 | (uint)rng.Next(4) << 13 };
        VectorInputs.Fill(rng, 0, new Span<byte>(image.Ymm, 512));
        image.Gpr[0] = mask | 0xFFFF_FF00;             // eax: bits above XCR0 are ignored
        image.Gpr[2] = (ulong)rng.Next(2) << 31;       // edx
        image.Gpr[VectorImage.Rsi] = (ulong)Memory;
        return image;
    }

    /// <summary>Byte ranges xsave writes for a mask, natively comparable: x87's FCW/FSW/FTW, MXCSR, XMM, the YMM upper halves.</summary>
    private static IEnumerable<(int Start, int Length)> Compared(ulong mask)
    {
        if ((mask & 1) != 0) yield return (0, 5);
        if ((mask & 6) != 0) yield return (24, 4);
        if ((mask & 2) != 0) yield return (160, 256);
        if ((mask & 4) != 0) yield return (Avx, 256);
    }

    [Test]
    public void Xsave_writes_the_selected_components_as_the_cpu([Range(0, 7)] int mask, [Values(Code.Xsave_mem, Code.Xsave64_mem)] Code code)
    {
        var rng = new Random(mask * 7 + (int)code);
        var memory = new Span<byte>(Memory, MemoryBytes);
        var initial = new byte[MemoryBytes];
        rng.NextBytes(initial);
        var start = Start(rng, (ulong)mask);
        var bytes = Encode(code);

        var native = start;
        initial.CopyTo(memory);
        Native.Run(bytes, &native);
        var nativeMemory = memory.ToArray();
        foreach (var (how, lifted) in RunLifted(bytes, start, initial))
        {
            foreach (var (at, length) in Compared((ulong)mask))
                Assert.That(lifted.Memory.AsSpan(at, length).ToArray(), Is.EqualTo(nativeMemory.AsSpan(at, length).ToArray()), $"{how} bytes {at}+{length}, mask {mask}");
            ulong stateBits = BitConverter.ToUInt64(lifted.Memory, Header);
            Assert.That(stateBits & 6 & (ulong)mask, Is.EqualTo(BitConverter.ToUInt64(nativeMemory, Header) & 6 & (ulong)mask), $"{how} XSTATE_BV");
            Assert.That(stateBits & ~(ulong)mask, Is.EqualTo(BitConverter.ToUInt64(initial, Header) & ~(ulong)mask), $"{how} XSTATE_BV bits outside the mask");
            Assert.That(lifted.Memory.AsSpan(416, 96).ToArray(), Is.EqualTo(initial.AsSpan(416, 96).ToArray()), $"{how} bytes 416-511 untouched");
            Assert.That(lifted.Memory.AsSpan(Header + 8, 56).ToArray(), Is.EqualTo(initial.AsSpan(Header + 8, 56).ToArray()), $"{how} header past XSTATE_BV untouched");
            foreach (var (component, at, length) in new[] { (0, 0, 160), (1, 160, 256), (2, Avx, 256) })
                if ((mask & (1 << component)) == 0 && !(component == 0 && (mask & 6) != 0))
                    Assert.That(lifted.Memory.AsSpan(at, length).ToArray(), Is.EqualTo(initial.AsSpan(at, length).ToArray()), $"{how} component {component} untouched");
        }
    }

    [Test]
    public void Xrstor_restores_the_selected_components_as_the_cpu([Values(0, 2, 4, 6)] int mask, [Values(0, 2, 4, 6)] int stateBits)
    {
        var rng = new Random(mask * 8 + stateBits);
        var memory = new Span<byte>(Memory, MemoryBytes);
        var initial = new byte[MemoryBytes];
        rng.NextBytes(initial);
        initial.AsSpan(Header, 64).Clear();
        BitConverter.TryWriteBytes(initial.AsSpan(Header), (ulong)stateBits);
        BitConverter.TryWriteBytes(initial.AsSpan(24), 0x1F80u | (uint)rng.Next(4) << 13);
        var start = Start(rng, (ulong)mask);
        var bytes = Encode(Code.Xrstor_mem);

        var native = start;
        initial.CopyTo(memory);
        Native.Run(bytes, &native);
        foreach (var (how, lifted) in RunLifted(bytes, start, initial))
        {
            for (int r = 0; r < 16; r++) Assert.That(lifted.Image.YmmText(r), Is.EqualTo(native.YmmText(r)), $"{how} ymm{r}, mask {mask}, XSTATE_BV {stateBits}");
            Assert.That(lifted.Image.Mxcsr, Is.EqualTo(native.Mxcsr), $"{how} MXCSR");
        }
    }

    [Test]
    public void Xrstor_of_a_compacted_or_foreign_header_is_a_general_protection_fault([Values(0x8000_0000_0000_0000UL, 0UL)] ulong compaction)
    {
        var memory = new Span<byte>(Memory, MemoryBytes);
        memory.Clear();
        BitConverter.TryWriteBytes(memory[Header..], compaction == 0 ? 0x10UL : 0UL);
        BitConverter.TryWriteBytes(memory[(Header + 8)..], compaction);
        var image = Start(new Random(3), 7);
        Assert.That(Lifted.Interpret(Encode(Code.Xrstor_mem), &image, out var exit), Is.True);
        Assert.That(exit, Is.EqualTo(new BlockExit(VectorLiftedRunner.Ip, JumpKind.GeneralProtection)));
    }

    [Test]
    public void Xrstor_restores_what_xsave_saved_including_x87()
    {
        var memory = new Span<byte>(Memory, MemoryBytes);
        memory.Clear();
        var image = Start(new Random(5), 7);
        var saved = image;
        Assert.That(Lifted.Interpret(Encode(Code.Xsave_mem), &image, out _), Is.True);
        var area = memory.ToArray();
        var scrambled = Start(new Random(6), 7);
        Assert.That(Lifted.Interpret(Encode(Code.Xrstor_mem), &scrambled, out _), Is.True);
        for (int r = 0; r < 16; r++) Assert.That(scrambled.YmmText(r), Is.EqualTo(saved.YmmText(r)), $"ymm{r}");
        Assert.That(Lifted.Interpret(Encode(Code.Xsave_mem), &scrambled, out _), Is.True);
        Assert.That(memory.ToArray(), Is.EqualTo(area), "the second image equals the first");
    }

    /// <summary>The image and memory after the interpreted and after the compiled run, each from the same start.</summary>
    private List<(string How, (VectorImage Image, byte[] Memory) Result)> RunLifted(byte[] bytes, VectorImage start, byte[] initial)
    {
        var memory = new Span<byte>(Memory, MemoryBytes);
        var results = new List<(string, (VectorImage, byte[]))>();
        foreach (bool compiled in new[] { false, true })
        {
            initial.CopyTo(memory);
            var image = start;
            BlockExit exit;
            bool lifted = compiled ? Lifted.Compile(bytes, &image, out exit) : Lifted.Interpret(bytes, &image, out exit);
            Assert.That(lifted && exit.Kind == JumpKind.Boring, Is.True, $"{(compiled ? "compiled" : "interpreted")} exit {exit}");
            results.Add((compiled ? "compiled" : "interpreted", (image, memory.ToArray())));
        }
        return results;
    }
}
