using System.Diagnostics;
using Memcheck.Engine.Core.Redirection;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>
/// Guest address -> executable translation: lift (or take the redirector's stand-in for a replaced function),
/// let the tool instrument, optimise, then compile (or keep the IR for the interpreter), caching the result
/// until the guest code changes.
/// </summary>
internal sealed class Translator(Lifter lifter, Redirector? redirector, Tool tool, Func<Superblock, Superblock> optimise, IBackend backend)
{
    /// <summary>--trace-flags output, when asked for.</summary>
    public TranslationTrace? Trace { get; set; }
    /// <summary>--stats=yes counters, when asked for.</summary>
    public TranslationStats? Stats { get; set; }

    private readonly Dictionary<ulong, Translation> _cache = [];

    /// <summary>The cached translation of the block at <paramref name="pc"/>, if there is one.</summary>
    public Translation? Find(ulong pc) => _cache.GetValueOrDefault(pc);

    /// <summary>Translates the block at <paramref name="pc"/> (whose first byte the caller found executable) and caches it.</summary>
    public Translation Translate(ulong pc)
    {
        var t = Trace is { } trace && trace.Begin(pc) ? TracedTranslate(pc, trace)
            : Stats is { } stats ? CountedTranslate(pc, stats)
            : backend.Prepare(optimise(tool.Instrument(Lift(pc))));
        _cache[pc] = t;
        return t;
    }

    private Superblock Lift(ulong pc) => redirector?.BlockAt(pc) ?? lifter.Lift(pc);

    private Translation CountedTranslate(ulong pc, TranslationStats stats)
    {
        var lifted = stats.Lifted(Stopwatch.GetTimestamp(), Lift(pc));
        var instrumented = stats.Instrumented(Stopwatch.GetTimestamp(), tool.Instrument(lifted));
        var optimised = stats.Optimised(Stopwatch.GetTimestamp(), optimise(instrumented));
        long start = Stopwatch.GetTimestamp();
        var t = backend.Prepare(optimised);
        stats.Compiled(start, t.HostCode?.Size ?? 0);
        return t;
    }

    private Translation TracedTranslate(ulong pc, TranslationTrace trace)
    {
        var lifted = trace.Stage(TranslationTrace.Lifted, "lifted", Lift(pc));
        var instrumented = trace.Stage(TranslationTrace.Instrumented, "instrumented", tool.Instrument(lifted));
        var t = backend.Prepare(trace.Stage(TranslationTrace.Optimised, "optimised", optimise(instrumented)));
        if (t.HostCode is var (address, size)) trace.HostCode(address, size);
        return t;
    }

    /// <summary>
    /// The guest PC Valgrind shows for a CPU exception at <paramref name="pc"/> that is not a memory
    /// access (integer division): its translations keep RIP up to date only at block starts and before
    /// memory accesses, so it names the last memory-accessing instruction of the block before
    /// <paramref name="pc"/>, or the block's first instruction. The block is lifted again: translations
    /// keep no IR, and this is rare.
    /// </summary>
    public ulong ValgrindVisiblePc(ulong pc)
    {
        var translation = _cache.Values.FirstOrDefault(t => t.HasInstructionAt(pc));
        if (translation == null) return pc;
        ulong visible = translation.GuestAddress, current = translation.GuestAddress;
        foreach (ref readonly var s in Lift(translation.GuestAddress).Statements)
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

/// <summary>
/// One translated superblock, runnable on a guest thread's state. It keeps where it came from, not its IR:
/// a program's translations would otherwise hold hundreds of megabytes of statements.
/// </summary>
internal abstract unsafe class Translation(Superblock sb)
{
    private readonly (ulong Start, int Length)[] _extents = [.. sb.Extents];

    public ulong GuestAddress { get; } = sb.GuestAddress;

    public abstract (ulong Next, JumpKind Kind) Execute(GuestState* state, IGuestMemoryGuard guard);

    /// <summary>Whether a guest instruction of the block starts at <paramref name="pc"/>.</summary>
    public abstract bool HasInstructionAt(ulong pc);

    /// <summary>Where the compiled code lies, for tracing; null when the block is interpreted.</summary>
    public virtual (nint Address, int Size)? HostCode => null;

    public bool Overlaps(ulong start, ulong length)
    {
        foreach (var (s, len) in _extents)
            if (s < start + length && start < s + (ulong)len) return true;
        return false;
    }
}
