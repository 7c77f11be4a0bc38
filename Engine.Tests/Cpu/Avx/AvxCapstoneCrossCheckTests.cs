using Gee.External.Capstone;
using Gee.External.Capstone.X86;
using Iced.Intel;
using Memcheck.Engine.Tests.Cpu.Vector;

namespace Memcheck.Engine.Tests.Cpu.Avx;

/// <summary>
/// Iced and Capstone 4 agree on the length and mnemonic of random instances of every vector form the lifter handles
/// (legacy SSE..SSE4.2, AES, PCLMULQDQ; VEX AVX, AVX2, FMA, F16C, BMI1/2): a second opinion on the decoder.
/// </summary>
public class AvxCapstoneCrossCheckTests
{
    /// <summary>
    /// Mnemonics Capstone spells from the immediate (vcmpps with a predicate, vpclmulqdq with a selector): compared
    /// by the stem both share.
    /// </summary>
    private static readonly string[] ImmediateSpelled = ["cmp", "pclmul"];

    /// <summary>Capstone 4 does not decode vbroadcasti128 (a known gap of that version).</summary>
    private static readonly Code[] UnknownToCapstone = [Code.VEX_Vbroadcasti128_ymm_m128];

    /// <summary>Same instruction: Capstone marks the memory width of the 128/256-bit conversions with an x or y suffix.</summary>
    private static bool SameName(string iced, string capstone) =>
        capstone == iced || capstone == iced + "x" || capstone == iced + "y"
        || ImmediateSpelled.Any(stem => iced.Contains(stem) && capstone.Contains(stem));

    [Test]
    public void Iced_and_Capstone_agree_on_length_and_mnemonic_of_lifted_vector_forms()
    {
        using var capstone = CapstoneDisassembler.CreateX86Disassembler(X86DisassembleMode.Bit64);
        var rng = new Random(4321);
        var mismatches = new List<string>();
        int checkedForms = 0;
        foreach (var form in VectorDifferentialTests.Forms().Where(f => !UnknownToCapstone.Contains(f.Code)))
        {
            for (int round = 0; round < 4; round++)
            {
                var bytes = form.Encode(rng);
                var iced = VectorLiftedRunner.Decode(bytes);
                var decoded = capstone.Disassemble(bytes, (long)VectorLiftedRunner.Ip);
                checkedForms++;
                string expected = iced.Mnemonic.ToString().ToLowerInvariant();
                if (decoded.Length == 0)
                {
                    mismatches.Add($"{form} ({Convert.ToHexString(bytes)}): Capstone cannot decode");
                    continue;
                }
                string got = decoded[0].Mnemonic;
                if (decoded[0].Bytes.Length != iced.Length || !SameName(expected, got))
                    mismatches.Add($"{form} ({Convert.ToHexString(bytes)}): Iced {expected}/{iced.Length}, Capstone {got}/{decoded[0].Bytes.Length}");
            }
        }
        Assert.That(checkedForms, Is.GreaterThan(4000));
        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches.Distinct().Take(60)));
    }
}
