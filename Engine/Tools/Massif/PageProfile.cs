using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tools.Massif;

/// <summary>
/// --pages-as-heap=yes: every page the guest has mapped is a block of the heap, filed where it was mapped: at the stack
/// of the mmap, mremap or brk syscall that made it, or as "0x0: ???" for what was there before the guest's first
/// instruction (its program, the interpreter, the pages of the stack in use). For snapshots, each mapping made is one
/// allocation and each unmapping one deallocation, whatever their number of pages. As in Valgrind, an mmap over pages
/// already mapped (ld.so maps a library's whole span, then its segments over it) counts them again, and an unmapping
/// takes away the latest count of each page.
/// </summary>
internal sealed unsafe class PageProfile
{
    private const ulong PageSize = PageMap.PageSize;

    /// <summary>The thread in a syscall on this host thread: its stack files what the syscall maps.</summary>
    [ThreadStatic] private static nint t_inSyscall;
    [ThreadStatic] private static bool t_inMmap;

    private readonly MassifProfile _profile;
    private readonly AllocationSites _sites;
    /// <summary>Page address -> the sites it was mapped at, latest last; pages of ignored sites are left out.</summary>
    private readonly Dictionary<ulong, List<HeapTreeNode>> _pages = [];

    public PageProfile(ToolHost host, MassifProfile profile, AllocationSites sites, ulong stackPointer)
    {
        _profile = profile;
        _sites = sites;
        foreach (GuestMapping m in host.Space.Mappings)
        {
            // The stack reserve is mapped whole; only the part the initial stack uses is the guest's so far.
            ulong start = m.Path == "[stack]" ? Math.Max(m.Start, stackPointer & ~(PageSize - 1)) : m.Start;
            Record(start, m.End - start, sites.Startup);
        }
        host.Space.Mapped += (start, length, _) => Mapped(start, length);
        host.Space.Unmapped += Unmapped;
    }

    public void BeforeSyscall(GuestState* state, SyscallEntry? entry)
    {
        t_inSyscall = (nint)state;
        t_inMmap = entry?.Name == "mmap";
    }

    public void AfterSyscall() => (t_inSyscall, t_inMmap) = (0, false);

    private void Mapped(ulong start, ulong length)
    {
        HeapTreeNode? site = t_inSyscall != 0 ? _sites.Site((GuestState*)t_inSyscall) : _sites.Startup;
        if (site is not null) Record(start, length, site);
    }

    private void Record(ulong start, ulong length, HeapTreeNode site)
    {
        for (ulong page = start; page < start + length; page += PageSize)
        {
            if (!_pages.TryGetValue(page, out var sites)) _pages[page] = sites = [];
            sites.Add(site);
            _profile.Add(site, PageSize, 0);
        }
        _profile.Changed();
    }

    private void Unmapped(ulong start, ulong length)
    {
        // What an mmap maps over stays counted (see above).
        if (t_inMmap) return;
        var gone = new List<(ulong Page, List<HeapTreeNode> Sites)>();
        for (ulong page = start; page < start + length; page += PageSize)
            if (_pages.TryGetValue(page, out var sites)) gone.Add((page, sites));
        if (gone.Count == 0) return;
        _profile.Deallocating();
        foreach (var (page, sites) in gone)
        {
            _profile.Remove(sites[^1], PageSize, 0);
            sites.RemoveAt(sites.Count - 1);
            if (sites.Count == 0) _pages.Remove(page);
        }
        _profile.Changed();
    }
}
