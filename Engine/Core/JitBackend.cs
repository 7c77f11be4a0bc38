using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;

namespace Memcheck.Engine.Core;

/// <summary>
/// Compiles superblocks to host code and chains them: when a block leaves through a chainable exit,
/// the next block run is its target, and the exit is patched to jump there directly from then on.
/// </summary>
internal sealed unsafe class JitBackend(BackendContext context) : IBackend
{
    private readonly BackendContext _context = context;
    private readonly BlockCompiler _compiler = new();
    private nint _pendingSite;
    private ulong _pendingTarget;

    public Translation Prepare(Superblock sb) => new Compiled(sb, _compiler.Compile(sb, _context), this);

    public bool KeepsIr => false;

    public void Invalidate(ulong start, ulong length)
    {
        _context.Cache.Invalidate(start, length);
        _pendingSite = 0;
    }

    public void Flush()
    {
        _context.Cache.Flush();
        _pendingSite = 0;
    }

    private sealed class Compiled(Superblock sb, CompiledBlock block, JitBackend backend) : Translation(sb)
    {
        public override (nint Address, int Size)? HostCode => (block.HostAddress, block.HostSize);

        public override bool HasInstructionAt(ulong pc) => block.HasInstructionAt(pc);

        public override (ulong Next, JumpKind Kind) Execute(GuestState* state, IGuestMemoryGuard guard)
        {
            if (backend._pendingSite != 0 && backend._pendingTarget == block.GuestAddress && block.IsValid)
                backend._context.Cache.Chain(backend._pendingSite, block);
            backend._context.Cache.Remember(block);
            ulong next = block.Entry(state);
            backend._pendingSite = (nint)state->ExitAddr;
            backend._pendingTarget = next;
            return (next, (JumpKind)state->ExitKind);
        }
    }
}
