using Iced.Intel;
using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Tests.Cpu;

/// <summary>After every register form of the flag setters, all sixteen conditions agree with the CPU once the FlagSpecialiser has rewritten them.</summary>
public class SpecialisedConditionsDifferentialTests
{
    private DifferentialHarness _harness = null!;

    [OneTimeSetUp] public void Open() => _harness = new DifferentialHarness();
    [OneTimeTearDown] public void Close() => _harness.Dispose();

    private static readonly Mnemonic[] Setters =
    [
        Mnemonic.Add, Mnemonic.Sub, Mnemonic.Cmp, Mnemonic.Test, Mnemonic.And, Mnemonic.Or, Mnemonic.Xor, Mnemonic.Inc,
        Mnemonic.Dec, Mnemonic.Neg, Mnemonic.Adc, Mnemonic.Sbb, Mnemonic.Shl, Mnemonic.Shr, Mnemonic.Sar, Mnemonic.Popcnt,
        // Copy thunks: the flags themselves.
        Mnemonic.Ucomisd, Mnemonic.Comiss, Mnemonic.Sahf,
    ];

    [TestCaseSource(nameof(Setters))]
    public void Conditions_after_the_setter_match_native_when_specialised(Mnemonic setter)
    {
        // Shifts by other counts leave OF undefined, which half the conditions read.
        var forms = InstructionForms.Of(setter)
            .Where(c => setter is not (Mnemonic.Shl or Mnemonic.Shr or Mnemonic.Sar) || c.ToString().EndsWith("_1"))
            .ToList();
        var setcc = InstructionForms.Of(Mnemonic.Seto).Concat(new[] { Mnemonic.Setno, Mnemonic.Setb, Mnemonic.Setae, Mnemonic.Sete,
            Mnemonic.Setne, Mnemonic.Setbe, Mnemonic.Seta, Mnemonic.Sets, Mnemonic.Setns, Mnemonic.Setp, Mnemonic.Setnp,
            Mnemonic.Setl, Mnemonic.Setge, Mnemonic.Setle, Mnemonic.Setg }.SelectMany(InstructionForms.Of)).ToList();
        var failures = new List<string>();
        foreach (var code in forms)
        for (int seed = 0; seed < 30 && failures.Count < 3; seed++)
        {
            var rng = new Random(seed + (int)code);
            var insn = InstructionForms.Random(code, rng, registerOnly: true);
            var failure = _harness.Compare(a =>
            {
                a.AddInstruction(insn);
                for (int i = 0; i < setcc.Count; i++)
                    a.AddInstruction(Instruction.Create(setcc[i], new MemoryOperand(Register.RBX, i)));
            }, seed + (int)code, InstructionForms.UndefinedFlags(code), transform: FlagSpecialiser.Specialise);
            if (failure != null) failures.Add($"{code}: {failure}");
        }
        Assert.That(failures.Count, Is.Zero, string.Join("\n", failures));
    }
}
