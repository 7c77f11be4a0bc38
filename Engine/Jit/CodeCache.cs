using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Jit;

/// <summary>
/// An executable region holding translated blocks, bump-allocated, plus the data and shared stubs
/// generated code uses: the entry budget, the indirect-branch lookup table (guest RIP -> chain entry),
/// and the return-to-dispatcher and lookup stubs. Everything generated code calls or jumps to that we
/// generate lives inside this range, so the host fault handler can recognise it.
/// Not thread-safe: the engine translates and runs guest code under one lock.
/// </summary>
public sealed unsafe class CodeCache : IDisposable
{
    /// <summary>
    /// Budget checks per dispatcher call before a block returns anyway (signals, thread switches): a block entered
    /// other than by a forward chained jump decrements it and returns to the dispatcher, before running anything,
    /// once it goes negative. Every loop of chained blocks passes a check.
    /// </summary>
    public const int ChainBudget = 1 << 16;
    private const int HeaderBytes = 64;
    private const int LookupOffset = HeaderBytes;
    private const int LookupEntryBytes = 16;

    private readonly Dictionary<ulong, CompiledBlock> _byGuest = [];
    private readonly Dictionary<nint, ExitSite> _sites = [];
    /// <summary>Every block placed since the last flush, invalidated ones too (they may still be running), by host address.</summary>
    private readonly List<CompiledBlock> _placed = [];
    private nint _top;
    private bool _disposed;

    public nint Start { get; }
    public long Capacity { get; }
    public nint End => Start + (nint)Capacity;
    public long Used => _top - Start;
    public int BlockCount => _byGuest.Count;

    internal nint BudgetAddress => Start;
    /// <summary>Counts flushes: code placed in an earlier generation is gone.</summary>
    internal long Generation { get; private set; }
    internal nint LookupTable => Start + LookupOffset;
    /// <summary>Slots of the direct-mapped indirect-branch table (a power of two).</summary>
    internal int LookupEntries { get; }
    private int StubsOffset => LookupOffset + LookupEntries * LookupEntryBytes;
    /// <summary>The routines every block jumps or calls to (entry, exits, lookup, access checks).</summary>
    internal SharedStubs Stubs { get; private set; } = null!;
    /// <summary>
    /// Where a host fault handler sends a guest access that faulted in generated code: set rsp to
    /// rsp + <see cref="CompiledBlock.FrameSize"/>, rax to the guest instruction
    /// (<see cref="CompiledBlock.GuestInstructionAt"/>), rdx to the faulting address; rbp still holds the
    /// state. It leaves the block with SigSegv as an inline check would.
    /// </summary>
    public nint FaultExitStub => Stubs.FaultExit;
    private LookupEntry* Table => (LookupEntry*)(Start + LookupOffset);

    [StructLayout(LayoutKind.Sequential)]
    private struct LookupEntry
    {
        public ulong GuestRip;
        public nint Host;
    }

    public CodeCache(long capacity = 256L << 20)
    {
        if (capacity < 64 << 10 || capacity > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(capacity), "between 64 KiB and 2 GiB, so rel32 jumps reach across it");
        Capacity = capacity;
        // One entry per 4 KiB of code, up to 2^16 entries (1 MiB): programs with tens of thousands of blocks return through it.
        LookupEntries = (int)Math.Min(1 << 16, capacity / 4096);
        Start = ExecutableMemory.Map(capacity);
        Reset();
        CacheFaults.Register(this);
    }

    public bool Contains(nint address) => address >= Start && address < End;

    /// <summary>The valid translation of the block starting at <paramref name="guestAddress"/>, if any.</summary>
    public CompiledBlock? Find(ulong guestAddress) => _byGuest.GetValueOrDefault(guestAddress);

    /// <summary>The block whose code contains <paramref name="hostAddress"/>, if any (for the host fault handler).</summary>
    public CompiledBlock? FindByHostAddress(nint hostAddress)
    {
        int lo = 0, hi = _placed.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            var b = _placed[mid];
            if (hostAddress < b.HostAddress) hi = mid - 1;
            else if (hostAddress >= b.HostAddress + b.HostSize) lo = mid + 1;
            else return b;
        }
        return null;
    }

    /// <summary>
    /// Links the chain site a block exited through (state->ExitAddr) to the translation of its target,
    /// so the next time that exit jumps there directly.
    /// </summary>
    public void Chain(nint exitSite, CompiledBlock target)
    {
        if (!_sites.TryGetValue(exitSite, out var site)) throw new ArgumentException($"0x{exitSite:x} is not a chain site", nameof(exitSite));
        if (!target.IsValid) throw new ArgumentException($"{target} was invalidated", nameof(target));
        if (target.GuestAddress != site.Target)
            throw new ArgumentException($"the exit goes to 0x{site.Target:x}, not to {target}", nameof(target));
        if (site.ChainedTo == target) return;
        if (site.ChainedTo != null) Unchain(site);
        PatchJump(site.PatchAddress, site.EntryOf(target));
        site.ChainedTo = target;
        target.Incoming.Add(site);
    }

    /// <summary>Drops every translation made from guest bytes in [start, start + length) and all jumps into them.</summary>
    public void Invalidate(ulong guestStart, ulong length)
    {
        var doomed = _byGuest.Values.Where(b => b.Overlaps(guestStart, length)).ToList();
        foreach (var block in doomed) Remove(block);
    }

    /// <summary>Empties the cache; no generated code may be running.</summary>
    public void Flush()
    {
        foreach (var block in _byGuest.Values) block.IsValid = false;
        _byGuest.Clear();
        _sites.Clear();
        _placed.Clear();
        Reset();
    }

    internal void Add(CompiledBlock block)
    {
        if (_byGuest.TryGetValue(block.GuestAddress, out var old)) Remove(old);
        _byGuest[block.GuestAddress] = block;
        _placed.Add(block);
        foreach (var site in block.Exits) _sites[site.PatchAddress] = site;
        Remember(block);
    }

    /// <summary>
    /// Makes indirect exits to the block's address find it (again: the table is direct-mapped, and a block compiled
    /// later may have taken the slot). The dispatcher calls this for every block it runs itself.
    /// </summary>
    public void Remember(CompiledBlock block)
    {
        ref var entry = ref Table[LookupIndex(block.GuestAddress)];
        entry.GuestRip = block.GuestAddress;
        entry.Host = block.ChainEntry;
    }

    /// <summary>Copies finished code to the current top of the cache and keeps it there; its address is <see cref="Top"/>.</summary>
    internal nint Place(HostAssembler code)
    {
        if ((nint)code.Base != _top) throw new InvalidOperationException("the code was assembled for another address");
        if (_top + code.Length > End) throw new CodeCacheFullException();
        code.Code.CopyTo(new Span<byte>((void*)_top, code.Length));
        nint address = _top;
        _top = Align(_top + code.Length);
        return address;
    }

    /// <summary>Where the next placed code will start.</summary>
    internal nint Top => _top;

    private static nint Align(nint p) => (p + 15) & ~(nint)15;

    private void Remove(CompiledBlock block)
    {
        foreach (var site in block.Incoming.ToList()) Unchain(site);
        foreach (var site in block.Exits)
        {
            if (site.ChainedTo != null) Unchain(site);
            _sites.Remove(site.PatchAddress);
        }
        ref var entry = ref Table[LookupIndex(block.GuestAddress)];
        if (entry.Host == block.ChainEntry) ClearEntry(ref entry);
        _byGuest.Remove(block.GuestAddress);
        block.IsValid = false;
    }

    private void Unchain(ExitSite site)
    {
        PatchJump(site.PatchAddress, site.Unchained);
        site.ChainedTo!.Incoming.Remove(site);
        site.ChainedTo = null;
    }

    /// <summary>Points the rel32 at <paramref name="rel32"/> (the last field of a jmp or jcc) to <paramref name="target"/>.</summary>
    private static void PatchJump(nint rel32, nint target) => *(int*)rel32 = checked((int)(target - (rel32 + 4)));

    /// <summary>The lookup table's hash; the lookup stub computes the same in machine code.</summary>
    internal int LookupIndex(ulong rip) => (int)(((uint)rip ^ ((uint)rip >> 12)) & (LookupEntries - 1));

    private void ClearEntry(ref LookupEntry entry)
    {
        // Matches no jump target the stub can see (guest addresses are canonical); a hit would still only return.
        entry.GuestRip = ulong.MaxValue;
        entry.Host = Stubs.LookupMiss;
    }

    private void Reset()
    {
        Generation++;
        _top = Start + StubsOffset;
        EmitStubs();
        for (int i = 0; i < LookupEntries; i++) ClearEntry(ref Table[i]);
    }

    private void EmitStubs()
    {
        var a = new HostAssembler();
        a.Reset((ulong)_top);
        Stubs = SharedStubs.Emit(a, this);
        Place(a);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        CacheFaults.Unregister(this);
        foreach (var block in _byGuest.Values) block.IsValid = false;
        ExecutableMemory.Unmap(Start, Capacity);
    }

}

/// <summary>A block did not fit in the cache: nothing was added; <see cref="CodeCache.Flush"/> and translate again.</summary>
public sealed class CodeCacheFullException() : Exception("the code cache is full");
