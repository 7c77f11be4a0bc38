using Iced.Intel;
using Memcheck.Engine.Cpu.Integer;
using Memcheck.Engine.Cpu.Sse;
using Memcheck.Engine.Cpu.X87;

namespace Memcheck.Engine.Cpu;

/// <summary>Lifts one decoded instruction into the context's superblock; false = this form is not supported (NoDecode).</summary>
public delegate bool InstructionLift(LiftContext ctx);

/// <summary>
/// Iced mnemonic -> lift function, filled by the instruction families. Iced gives some different
/// instructions one mnemonic (string movsd/cmpsd and SSE2 movsd/cmpsd), so a mnemonic may have
/// several lifts: they are tried in registration order and the first returning true wins. A lift
/// that returns false must therefore decide so before emitting anything.
/// </summary>
public sealed class LifterTable
{
    private readonly Dictionary<Mnemonic, InstructionLift> _lifts = [];

    public void Add(Mnemonic mnemonic, InstructionLift lift)
    {
        if (_lifts.TryGetValue(mnemonic, out var earlier))
            _lifts[mnemonic] = ctx => earlier(ctx) || lift(ctx);
        else
            _lifts[mnemonic] = lift;
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
