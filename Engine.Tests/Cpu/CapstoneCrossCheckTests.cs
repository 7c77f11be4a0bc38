using Gee.External.Capstone;
using Gee.External.Capstone.X86;
using Iced.Intel;
using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Tests.Cpu;

/// <summary>
/// Iced and Capstone agree on the length and mnemonic of every form of the integer mnemonics the
/// lifter handles, on encodings generated with random operands: a second opinion on the decoder
/// the lifter trusts.
/// </summary>
public class CapstoneCrossCheckTests
{
    /// <summary>Where the two libraries name the same instruction differently (Iced name, Capstone name).</summary>
    private static readonly HashSet<(string Iced, string Capstone)> Aliases = [("sal", "shl"), ("mov", "movabs")];

    /// <summary>
    /// Encodings CPUs accept and Capstone 4 does not know: fences with a non-zero r/m field,
    /// 0F 0D prefetches, and the multi-byte nop with a register operand.
    /// </summary>
    private static bool IsUnknownToCapstone(Code code, in Instruction insn) =>
        System.Text.RegularExpressions.Regex.IsMatch(code.ToString(), "^([LMS]fence_[0-9A-F]{2}|Prefetch_m8|Prefetchreserved[0-9]_m8)$")
        || (insn.Mnemonic == Mnemonic.Nop && insn.OpCount == 1 && insn.Op0Kind == OpKind.Register);

    private static IEnumerable<Mnemonic> LiftedIntegerMnemonics()
    {
        var table = LifterTable.Build();
        return Enum.GetValues<Mnemonic>().Where(m => table.Contains(m) && InstructionForms.Of(m).Any()).Distinct();
    }

    [Test]
    public void Iced_and_Capstone_agree_on_length_and_mnemonic_of_lifted_integer_forms()
    {
        using var capstone = CapstoneDisassembler.CreateX86Disassembler(X86DisassembleMode.Bit64);
        var rng = new Random(1234);
        var mismatches = new List<string>();
        int checkedForms = 0;
        foreach (var mnemonic in LiftedIntegerMnemonics())
        foreach (var code in InstructionForms.Of(mnemonic))
        {
            for (int round = 0; round < 4; round++)
            {
                var insn = InstructionForms.Random(code, rng);
                if (IsUnknownToCapstone(code, insn)) continue;
                var bytes = Encode(insn);
                if (!IsLifted(bytes)) break;
                var decoded = capstone.Disassemble(bytes, 0x401000);
                checkedForms++;
                var icedDecoded = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes), 0x401000).Decode();
                string expected = icedDecoded.Mnemonic.ToString().ToLowerInvariant();
                if (decoded.Length == 0)
                {
                    mismatches.Add($"{code} ({Convert.ToHexString(bytes)}): Capstone cannot decode");
                    continue;
                }
                string got = decoded[0].Mnemonic.Split(' ').Last();
                if (decoded[0].Bytes.Length != icedDecoded.Length || (got != expected && !Aliases.Contains((expected, got))))
                    mismatches.Add($"{code} ({Convert.ToHexString(bytes)}): Iced {expected}/{icedDecoded.Length}, Capstone {decoded[0].Mnemonic}/{decoded[0].Bytes.Length}");
            }
        }
        Assert.That(checkedForms, Is.GreaterThan(500));
        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Distinct().Take(40)));
    }

    private static bool IsLifted(byte[] bytes) =>
        new Lifter(new BufferCodeSource(0x401000, bytes)).Lift(0x401000).InstructionCount == 1;

    private static byte[] Encode(Instruction insn)
    {
        var writer = new ByteWriter();
        var encoder = Encoder.Create(64, writer);
        encoder.Encode(insn, 0x401000);
        return writer.Bytes.ToArray();
    }

    private sealed class ByteWriter : CodeWriter
    {
        public List<byte> Bytes { get; } = [];
        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
