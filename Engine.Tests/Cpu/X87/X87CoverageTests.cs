using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Cpu.X87;

/// <summary>
/// Every x87 instruction (and fxsave/fxrstor) in the system's C runtime libraries lifts: the
/// forms glibc's long double paths, libm's *l functions, libstdc++ and ld.so's trampolines use.
/// </summary>
public sealed class X87CoverageTests
{
    private static readonly string[] Libraries =
    [
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/lib/x86_64-linux-gnu/libm.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib64/ld-linux-x86-64.so.2",
    ];

    [TestCaseSource(nameof(Libraries))]
    [Category("Slow")]
    public void EveryX87InstructionOfTheLibraryLifts(string path)
    {
        if (!File.Exists(path)) Assert.Ignore($"{path} is not installed");
        using var elf = ELFReader.Load<ulong>(path);
        var text = elf.Sections.OfType<Section<ulong>>().Single(s => s.Name == ".text");
        byte[] code = text.GetContents();
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(code));
        decoder.IP = text.LoadAddress;
        var unsupported = new SortedSet<string>();
        int lifted = 0;
        while (decoder.IP < text.LoadAddress + (ulong)code.Length)
        {
            decoder.Decode(out var insn);
            if (!IsX87(insn)) continue;
            var bytes = code.AsSpan((int)(insn.IP - text.LoadAddress), insn.Length).ToArray();
            var sb = new Lifter(new SingleInstruction(insn.IP, bytes)).Lift(insn.IP);
            if (sb.NextKind == JumpKind.NoDecode) unsupported.Add(insn.ToString());
            else lifted++;
        }
        Assert.That(unsupported, Is.Empty, $"{lifted} lifted");
        Assert.That(lifted, Is.GreaterThan(0));
        TestContext.Out.WriteLine($"{path}: {lifted} x87 instructions lifted");
    }

    /// <summary>
    /// Valid x87 instructions deliberately not lifted: nothing in the C runtime uses them (BCD,
    /// fnsave/frstor, and the 8087/287 controls a modern CPU runs as fnop).
    /// </summary>
    private static readonly Mnemonic[] NotLifted =
        [Mnemonic.Fbld, Mnemonic.Fbstp, Mnemonic.Fnsave, Mnemonic.Frstor, Mnemonic.Fneni, Mnemonic.Fndisi, Mnemonic.Fnsetpm];

    [Test]
    public void EveryX87Encoding_LiftsUnlessInvalidOrDeliberatelyUnsupported()
    {
        const ulong address = 0x1000;
        var wrong = new List<string>();
        for (int escape = 0xD8; escape <= 0xDF; escape++)
        for (int modrm = 0; modrm < 256; modrm++)
        {
            // With a memory form: zero SIB and displacement bytes.
            byte[] bytes = [(byte)escape, (byte)modrm, 0, 0, 0, 0, 0];
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes));
            decoder.IP = address;
            var insn = decoder.Decode();
            bool expectLifted = !insn.IsInvalid && !NotLifted.Contains(insn.Mnemonic);
            var sb = new Lifter(new SingleInstruction(address, bytes)).Lift(address);
            if ((sb.NextKind != JumpKind.NoDecode) != expectLifted) wrong.Add($"{escape:X2} {modrm:X2} {insn}");
        }
        Assert.That(wrong, Is.Empty);
    }

    /// <summary>The x87 escape opcodes D8-DF, fwait, and the FXSR instructions.</summary>
    private static bool IsX87(in Instruction insn)
    {
        var opCode = insn.Code.ToOpCode();
        // Register forms carry their second byte in the opcode value (0xD9E5 for fxam).
        uint first = opCode.OpCode >> (8 * (opCode.OpCodeLength - 1));
        return (opCode.Table == OpCodeTableKind.Normal && first is >= 0xD8 and <= 0xDF)
            || insn.Mnemonic is Mnemonic.Wait or Mnemonic.Fxsave or Mnemonic.Fxsave64 or Mnemonic.Fxrstor or Mnemonic.Fxrstor64;
    }

    private sealed class SingleInstruction(ulong address, byte[] bytes) : ICodeSource
    {
        public int Read(ulong at, Span<byte> buffer)
        {
            if (at != address) return 0;
            int n = Math.Min(bytes.Length, buffer.Length);
            bytes.AsSpan(0, n).CopyTo(buffer);
            return n;
        }
    }
}
