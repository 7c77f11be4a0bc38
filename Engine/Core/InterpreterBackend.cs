using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>Runs superblocks in the reference IR interpreter (--backend=interpreter; the oracle).</summary>
internal sealed class InterpreterBackend : IBackend
{
    private readonly IrInterpreter _interpreter = new();

    public Translation Prepare(Superblock sb) => new Interpreted(sb, _interpreter);

    public void Release(Translation translation) { }

    private sealed unsafe class Interpreted(Superblock sb, IrInterpreter interpreter) : Translation(sb)
    {
        public override (ulong Next, JumpKind Kind) Execute(GuestState* state, IGuestMemoryGuard guard)
        {
            var exit = interpreter.Run(Block, state, guard);
            return (exit.NextAddress, exit.Kind);
        }
    }
}
