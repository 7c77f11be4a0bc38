using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>Runs superblocks in the reference IR interpreter (--backend=interpreter; the oracle).</summary>
/// <param name="accessCheck">The tool's addressability map, checked instead of the page map when given.</param>
internal sealed class InterpreterBackend(AccessCheck? accessCheck = null) : IBackend
{
    private readonly IrInterpreter _interpreter = new(accessCheck);

    public Translation Prepare(Superblock sb) => new Interpreted(sb, _interpreter);

    public void Invalidate(ulong start, ulong length) { }

    public void Flush() { }

    public bool KeepsIr => true;

    private sealed unsafe class Interpreted(Superblock block, IrInterpreter interpreter) : Translation(block)
    {
        private readonly Superblock _block = block;

        public override (ulong Next, JumpKind Kind) Execute(GuestState* state, IGuestMemoryGuard guard)
        {
            var exit = interpreter.Run(_block, state, guard);
            return (exit.NextAddress, exit.Kind);
        }

        public override bool HasInstructionAt(ulong pc)
        {
            foreach (ref readonly var s in _block.Statements)
                if (s.Kind == StmtKind.IMark && s.Addr == pc) return true;
            return false;
        }
    }
}
