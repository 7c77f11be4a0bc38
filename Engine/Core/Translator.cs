using System.Diagnostics;
using Memcheck.Engine.Core.Redirection;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;

namespace Memcheck.Engine.Core;

/// <summary>
/// Guest address -> executable translation: lift (or take the redirector's stand-in for a replaced function),
/// unroll it if it is a small self-loop, let the tool instrument, optimise, then compile (or keep the IR for the
/// interpreter), caching the result until the guest code changes.
/// </summary>
internal sealed class Translator(Lifter lifter, Redirector? redirector, Tool tool, Func<Superblock, Superblock> optimise, IBackend backend)
{
    /// <summary>--trace-flags output, when asked for.</summary>
    public TranslationTrace? Trace { get; set; }
    /// <summary>--stats=yes counters, when asked for.</summary>
    public TranslationStats? Stats { get; set; }

    private readonly Dictionary<ulong, Translation> _cache = [];
    /// <summary>
    /// Guest page -> translations made from bytes on it. Programs unmap and re-protect data far more often than
    /// code (every freed arena), so most invalidations find nothing here and touch no translation.
    /// </summary>
    private readonly Dictionary<ulong, List<Translation>> _byPage = [];

    /// <summary>The cached translation of the block at <paramref name="pc"/>, if there is one.</summary>
    public Translation? Find(ulong pc) => _cache.GetValueOrDefault(pc);

    /// <summary>Translates the block at <paramref name="pc"/> (whose first byte the caller found executable) and caches it.</summary>
    public Translation Translate(ulong pc)
    {
        var trace = Trace is { } t && t.Begin(pc) ? t : null;
        var stats = Stats;
        long start = stats == null ? 0 : Stopwatch.GetTimestamp();
        var lifted = Lift(pc);
        stats?.Lifted(start, lifted);
        trace?.Stage(TranslationTrace.Lifted, "lifted", lifted);

        var unrolled = LoopUnrolling.Run(lifted);
        if (unrolled != lifted) lifted.Release();

        if (stats != null) start = Stopwatch.GetTimestamp();
        var instrumented = tool.Instrument(unrolled);
        stats?.Instrumented(start);
        trace?.Stage(TranslationTrace.Instrumented, "instrumented", instrumented);

        if (stats != null) start = Stopwatch.GetTimestamp();
        var optimised = optimise(instrumented);
        stats?.Optimised(start, optimised);
        trace?.Stage(TranslationTrace.Optimised, "optimised", optimised);

        if (stats != null) start = Stopwatch.GetTimestamp();
        var translation = PrepareInRoom(optimised);
        stats?.Compiled(start, translation.HostCode?.Size ?? 0);
        if (trace != null && translation.HostCode is var (address, size)) trace.HostCode(address, size);

        if (!backend.KeepsIr)
        {
            unrolled.Release();
            if (instrumented != unrolled) instrumented.Release();
            if (optimised != instrumented) optimised.Release();
        }
        if (_cache.Remove(pc, out var replaced)) Unindex(replaced);
        _cache[pc] = translation;
        foreach (ulong page in translation.Pages())
        {
            if (!_byPage.TryGetValue(page, out var onPage)) _byPage[page] = onPage = [];
            onPage.Add(translation);
        }
        return translation;
    }

    private Superblock Lift(ulong pc) => redirector?.BlockAt(pc) ?? lifter.Lift(pc);

    /// <summary>
    /// The backend's translation of <paramref name="sb"/>; when its code space is full, everything translated so far
    /// is dropped (no generated code runs while the dispatcher translates) and the block is made again.
    /// </summary>
    private Translation PrepareInRoom(Superblock sb)
    {
        try
        {
            return backend.Prepare(sb);
        }
        catch (CodeCacheFullException)
        {
            _cache.Clear();
            _byPage.Clear();
            backend.Flush();
            return backend.Prepare(sb);
        }
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
        var translation = _byPage.GetValueOrDefault(pc >> PageMap.PageShift)?.FirstOrDefault(t => t.HasInstructionAt(pc));
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
        ulong first = start >> PageMap.PageShift, last = (start + Math.Max(length, 1) - 1) >> PageMap.PageShift;
        var stale = new HashSet<Translation>();
        if (last - first < (ulong)_byPage.Count)
        {
            for (ulong page = first; page <= last; page++)
                if (_byPage.TryGetValue(page, out var onPage)) Collect(onPage, start, length, stale);
        }
        else
        {
            foreach (var (page, onPage) in _byPage)
                if (page >= first && page <= last) Collect(onPage, start, length, stale);
        }
        if (stale.Count == 0) return;
        foreach (var t in stale)
        {
            _cache.Remove(t.GuestAddress);
            Unindex(t);
        }
        backend.Invalidate(start, length);
    }

    private static void Collect(List<Translation> onPage, ulong start, ulong length, HashSet<Translation> into)
    {
        foreach (var t in onPage)
            if (t.Overlaps(start, length)) into.Add(t);
    }

    private void Unindex(Translation t)
    {
        foreach (ulong page in t.Pages())
            if (_byPage.TryGetValue(page, out var onPage) && onPage.Remove(t) && onPage.Count == 0) _byPage.Remove(page);
    }
}

/// <summary>Turns optimised superblocks into something the dispatcher can run.</summary>
internal interface IBackend
{
    Translation Prepare(Superblock sb);
    /// <summary>Whether translations run the superblock itself, so it must not be released after <see cref="Prepare"/>.</summary>
    bool KeepsIr { get; }
    /// <summary>Forget whatever was made from guest bytes in [start, start+length).</summary>
    void Invalidate(ulong start, ulong length);
    /// <summary>Forget every translation, making room for new ones.</summary>
    void Flush();
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

    /// <summary>The guest pages the block was translated from (a page twice when two extents share it).</summary>
    public IEnumerable<ulong> Pages()
    {
        foreach (var (s, len) in _extents)
            for (ulong page = s >> PageMap.PageShift; page <= (s + (ulong)Math.Max(len, 1) - 1) >> PageMap.PageShift; page++)
                yield return page;
    }
}
