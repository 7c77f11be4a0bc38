using Memcheck.Engine.Core.Redirection;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>
/// Guest address -> executable translation: lift (or take the redirector's stand-in for a replaced function),
/// let the tool instrument, optimise, then compile (or keep the IR for the interpreter), caching the result
/// until the guest code changes.
/// </summary>
internal sealed class Translator(Lifter lifter, Redirector redirector, Tool tool, Func<Superblock, Superblock> optimise, IBackend backend)
{
    private readonly Dictionary<ulong, Translation> _cache = [];

    /// <summary>The cached translation of the block at <paramref name="pc"/>, if there is one.</summary>
    public Translation? Find(ulong pc) => _cache.GetValueOrDefault(pc);

    /// <summary>Translates the block at <paramref name="pc"/> (whose first byte the caller found executable) and caches it.</summary>
    public Translation Translate(ulong pc)
    {
        var t = backend.Prepare(optimise(tool.Instrument(redirector.BlockAt(pc) ?? lifter.Lift(pc))));
        _cache[pc] = t;
        return t;
    }

    /// <summary>
    /// The guest PC Valgrind shows for a CPU exception at <paramref name="pc"/> that is not a memory
    /// access (integer division): its translations keep RIP up to date only at block starts and before
    /// memory accesses, so it names the last memory-accessing instruction of the block before
    /// <paramref name="pc"/>, or the block's first instruction.
    /// </summary>
    public ulong ValgrindVisiblePc(ulong pc)
    {
        var block = _cache.Values.Select(t => t.Block).FirstOrDefault(b => HasInstructionAt(b, pc));
        if (block == null) return pc;
        ulong visible = block.GuestAddress, current = block.GuestAddress;
        foreach (ref readonly var s in block.Statements)
        {
            if (s.Kind == StmtKind.IMark)
            {
                if (s.Addr == pc) break;
                current = s.Addr;
            }
            else if (s.Kind is StmtKind.Load or StmtKind.Store) visible = current;
        }
        return visible;
    }

    private static bool HasInstructionAt(Superblock block, ulong pc)
    {
        foreach (ref readonly var s in block.Statements)
            if (s.Kind == StmtKind.IMark && s.Addr == pc) return true;
        return false;
    }

    /// <summary>Drop every translation made from guest bytes in [start, start+length).</summary>
    public void Invalidate(ulong start, ulong length)
    {
        var stale = _cache.Where(kv => kv.Value.Overlaps(start, length)).Select(kv => kv.Key).ToList();
        if (stale.Count == 0) return;
        foreach (var pc in stale) _cache.Remove(pc);
        backend.Invalidate(start, length);
    }
}

/// <summary>Turns optimised superblocks into something the dispatcher can run.</summary>
internal interface IBackend
{
    Translation Prepare(Superblock sb);
    /// <summary>Forget whatever was made from guest bytes in [start, start+length).</summary>
    void Invalidate(ulong start, ulong length);
}

/// <summary>One translated superblock, runnable on a guest thread's state.</summary>
internal abstract unsafe class Translation(Superblock sb)
{
    public Superblock Block { get; } = sb;

    public abstract (ulong Next, JumpKind Kind) Execute(GuestState* state, IGuestMemoryGuard guard);

    public bool Overlaps(ulong start, ulong length) =>
        Block.Extents.Any(e => e.Start < start + length && start < e.Start + (ulong)e.Length);
}
