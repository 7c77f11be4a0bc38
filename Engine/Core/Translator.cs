using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>
/// Guest address -> executable translation: lift, let the tool instrument, optimise, then compile
/// (or keep the IR for the interpreter), caching the result until the guest code changes.
/// </summary>
internal sealed class Translator(Lifter lifter, Tool tool, Func<Superblock, Superblock> optimise, IBackend backend)
{
    private readonly Dictionary<ulong, Translation> _cache = [];

    public int TranslatedBlocks { get; private set; }

    public Translation Get(ulong pc)
    {
        if (_cache.TryGetValue(pc, out var t)) return t;
        var sb = optimise(tool.Instrument(lifter.Lift(pc)));
        t = backend.Prepare(sb);
        _cache[pc] = t;
        TranslatedBlocks++;
        return t;
    }

    /// <summary>Drop every translation made from guest bytes in [start, start+length).</summary>
    public void Invalidate(ulong start, ulong length)
    {
        var stale = _cache.Where(kv => kv.Value.Overlaps(start, length)).Select(kv => kv.Key).ToList();
        foreach (var pc in stale)
        {
            backend.Release(_cache[pc]);
            _cache.Remove(pc);
        }
    }
}

/// <summary>Turns optimised superblocks into something the dispatcher can run.</summary>
internal interface IBackend
{
    Translation Prepare(Superblock sb);
    void Release(Translation translation);
}

/// <summary>One translated superblock, runnable on a guest thread's state.</summary>
internal abstract unsafe class Translation(Superblock sb)
{
    public Superblock Block { get; } = sb;

    public abstract (ulong Next, JumpKind Kind) Execute(GuestState* state, IGuestMemoryGuard guard);

    public bool Overlaps(ulong start, ulong length) =>
        Block.Extents.Any(e => e.Start < start + length && start < e.Start + (ulong)e.Length);
}
