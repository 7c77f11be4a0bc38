using Iced.Intel;
using Memcheck.Engine.Cpu.Integer;
using Memcheck.Engine.Cpu.Sse;
using Memcheck.Engine.Cpu.X87;

namespace Memcheck.Engine.Cpu;

/// <summary>Lifts one decoded instruction into the context's superblock; false = this form is not supported (NoDecode).</summary>
public delegate bool InstructionLift(LiftContext ctx);

/// <summary>Iced mnemonic -> lift function, filled by the instruction families.</summary>
public sealed class LifterTable
{
    private readonly Dictionary<Mnemonic, InstructionLift> _lifts = [];

    public void Add(Mnemonic mnemonic, InstructionLift lift)
    {
        if (!_lifts.TryAdd(mnemonic, lift))
            throw new InvalidOperationException($"{mnemonic} is registered by two instruction families");
    }

    public InstructionLift? Find(Mnemonic mnemonic) => _lifts.GetValueOrDefault(mnemonic);

    public bool Contains(Mnemonic mnemonic) => _lifts.ContainsKey(mnemonic);

    public IEnumerable<Mnemonic> Mnemonics => _lifts.Keys;

    /// <summary>The one list of instruction families.</summary>
    public static LifterTable Build()
    {
        var t = new LifterTable();
        IntegerLifters.Register(t);
        SseLifters.Register(t);
        X87Lifters.Register(t);
        return t;
    }
}
