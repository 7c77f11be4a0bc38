using Iced.Intel;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>Jumps, calls, returns, and instructions that only end a block.</summary>
internal static class ControlFlowLifters
{
    public static void Register(LifterTable t)
    {
        t.Add(Mnemonic.Nop, _ => true);
        t.Add(Mnemonic.Jmp, Jmp);
    }

    private static bool Jmp(LiftContext ctx)
    {
        var target = ctx.Read(0, IrType.I64);
        ctx.EndBlock(target, JumpKind.Boring);
        return true;
    }
}
