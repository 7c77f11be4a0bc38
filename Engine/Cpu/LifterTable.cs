using Iced.Intel;
using Memcheck.Engine.Cpu.Avx;
using Memcheck.Engine.Cpu.Crypto;
using Memcheck.Engine.Cpu.Integer;
using Memcheck.Engine.Cpu.Sse;
using Memcheck.Engine.Cpu.StateSave;
using Memcheck.Engine.Cpu.X87;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu;

/// <summary>Lifts one decoded instruction into the context's superblock; false = this form is not supported (NoDecode).</summary>
public delegate bool InstructionLift(LiftContext ctx);

/// <summary>
/// One 128-bit lane of a vector instruction's result from the same lanes of its first and second source:
/// <paramref name="half"/> 0 is an XMM register or the low half of a YMM one, 1 the high half. When both sources
/// are one register the two values are the same temp, so register idioms (pxor x,x) can see it.
/// </summary>
public delegate IrValue LaneFunction(LiftContext ctx, int half, IrValue first, IrValue second);

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

    /// <summary>
    /// An SSE instruction from its lane semantics, in both encodings: the legacy form (xmm1 = f(xmm1, xmm2/m)) and
    /// the VEX form named with a V (dst = f(src1, src2) per 128-bit lane).
    /// </summary>
    public void AddVector(Mnemonic legacy, LaneFunction lane)
    {
        Add(legacy, ctx => SseOperands.LaneWise(ctx, lane));
        Add(VexMnemonic(legacy), ctx => VexLanes.Lift(ctx, lane));
    }

    /// <summary>An SSE instruction whose VEX form takes the same operands: one lift for both encodings (never EVEX).</summary>
    public void AddBothEncodings(Mnemonic legacy, InstructionLift lift)
    {
        Add(legacy, ctx => ctx.Insn.Encoding == EncodingKind.Legacy && lift(ctx));
        Add(VexMnemonic(legacy), ctx => ctx.Insn.Encoding == EncodingKind.VEX && lift(ctx));
    }

    /// <summary>Iced names an SSE instruction's VEX form with a leading V (paddb, vpaddb).</summary>
    public static Mnemonic VexMnemonic(Mnemonic legacy) => Enum.Parse<Mnemonic>("V" + legacy.ToString().ToLowerInvariant());

    public InstructionLift? Find(Mnemonic mnemonic) => _lifts.GetValueOrDefault(mnemonic);

    public bool Contains(Mnemonic mnemonic) => _lifts.ContainsKey(mnemonic);

    public IEnumerable<Mnemonic> Mnemonics => _lifts.Keys;

    /// <summary>The one list of instruction families.</summary>
    public static LifterTable Build()
    {
        var t = new LifterTable();
        IntegerLifters.Register(t);
        SseLifters.Register(t);
        AvxLifters.Register(t);
        CryptoLifts.Register(t);
        X87Lifters.Register(t);
        StateSaveLifters.Register(t);
        return t;
    }
}
