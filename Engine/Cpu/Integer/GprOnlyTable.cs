using Iced.Intel;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>
/// Registers integer lifts so they refuse forms naming non-general registers (segment,
/// control, debug registers): those are not supported and must end in NoDecode, not throw.
/// </summary>
internal sealed class GprOnlyTable(LifterTable table)
{
    public void Add(Mnemonic mnemonic, InstructionLift lift) => table.Add(mnemonic, ctx => OnlyGprs(ctx) && lift(ctx));

    private static bool OnlyGprs(LiftContext ctx)
    {
        var insn = ctx.Insn;
        for (int i = 0; i < insn.OpCount; i++)
            if (insn.GetOpKind(i) == OpKind.Register && !insn.GetOpRegister(i).IsGPR()) return false;
        return true;
    }
}
