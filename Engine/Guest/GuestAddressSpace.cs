using static Memcheck.Engine.Os.Errno;
using static Memcheck.Engine.Guest.LinuxMm;

namespace Memcheck.Engine.Guest;

/// <summary>
/// The guest's address space: host mappings at guest addresses (identity mapping) plus the
/// <see cref="PageMap"/> that says which of them are the guest's. Placement follows Valgrind's
/// layout so reported addresses look familiar: a PIE main program at 0x108000, the interpreter,
/// libraries and anonymous mmaps first-fit upwards from 0x4000000, the stack just below
/// 0x1fff000000. That low region is free in a dotnet process (the runtime lives near the top of
/// the address space); every placement still goes through MAP_FIXED_NOREPLACE, so host memory is
/// never clobbered: a collision only moves the guest elsewhere or fails its request.
/// The syscall-shaped methods return the result or -errno as Linux does.
/// </summary>
public sealed class GuestAddressSpace : Os.IGuestMemoryManager, IDisposable
{
    public const ulong ProgramBase = 0x108000;
    public const ulong MmapBase = 0x4000000;
    public const ulong StackTop = 0x1fff000000;
    public const ulong StackReserve = 8UL << 20;
    /// <summary>Unowned page kept below the stack reserve so an overflow faults instead of hitting a mapping.</summary>
    public const ulong StackGuard = PageMap.PageSize;
    /// <summary>Engine-chosen placements stay below the stack.</summary>
    public const ulong PlacementLimit = StackTop - StackReserve - StackGuard;
    /// <summary>MAP_32BIT placements, as Linux chooses them: within the second GiB.</summary>
    private const ulong Low32Start = 0x40000000, Low32End = 0x80000000;

    /// <summary>vm.mmap_min_addr: Linux refuses fixed mappings below it.</summary>
    public const ulong MinAddress = 0x10000;

    private readonly MappingList _mappings = new();

    public PageMap Pages { get; } = new();

    public IReadOnlyList<GuestMapping> Mappings => _mappings.All;

    public ulong BrkStart { get; private set; }
    public ulong CurrentBrk { get; private set; }

    /// <summary>Guest memory appeared (start, length, protection); new anonymous memory reads as zeros.</summary>
    public event Action<ulong, ulong, PageProtection>? Mapped;
    public event Action<ulong, ulong>? Unmapped;
    public event Action<ulong, ulong, PageProtection>? ProtectionChanged;
    /// <summary>mremap moved contents (old start, new start, length moved): raised after the new range's
    /// Mapped and before the old range's Unmapped, so a tool can carry its shadow over.</summary>
    public event Action<ulong, ulong, ulong>? Remapped;

    public GuestMapping? FindMapping(ulong address) => _mappings.Find(address);

    public long Mmap(ulong addr, ulong length, int prot, int flags, int fd, long offset)
    {
        if ((offset & (long)PageMap.PageMask) != 0 || length == 0) return -EINVAL;
        int type = flags & MapTypeMask;
        if (type is not (MapShared or MapPrivate or MapSharedValidate)) return -EINVAL;
        ulong len = PageMap.PageUp(length);
        if (len == 0 || len > PageMap.AddressLimit) return -ENOMEM;
        bool anonymous = (flags & MapAnonymous) != 0;
        if (!anonymous && (ulong)offset + len < (ulong)offset) return -EOVERFLOW;
        bool fixedNoReplace = (flags & MapFixedNoReplace) != 0;
        bool isFixed = fixedNoReplace || (flags & MapFixed) != 0;

        ulong start;
        if (isFixed)
        {
            if ((addr & PageMap.PageMask) != 0) return -EINVAL;
            if (addr > PageMap.AddressLimit - len) return -ENOMEM;
            if (addr < MinAddress) return -EPERM;
            if (fixedNoReplace && !Pages.IsRangeFree(addr, len)) return -EEXIST;
            long reserved = ReserveUnowned(addr, len);
            if (reserved < 0) return fixedNoReplace ? -EEXIST : reserved;
            start = addr;
        }
        else
        {
            ulong hint = PageMap.PageUp(addr);
            bool low32 = (flags & Map32Bit) != 0;
            if (!(hint != 0 && hint <= PageMap.AddressLimit - len && Pages.IsRangeFree(hint, len) && HostReserve(hint, len)))
            {
                long placed = low32 ? Reserve(len, Low32Start, Low32End) : Reserve(len, MmapBase, PlacementLimit);
                if (placed < 0) return placed;
                hint = (ulong)placed;
            }
            start = hint;
        }

        long mapped = MapInReservation(start, len, prot, flags, fd, offset);
        if (mapped < 0) ReleaseUnowned(start, len);
        return mapped;
    }

    /// <summary>
    /// mmap with MAP_FIXED at a range whose host pages are the guest's or reserved by <see cref="Reserve"/>
    /// (the loader maps segments into an image's reservation this way); returns the address or -errno.
    /// </summary>
    internal long MapInReservation(ulong start, ulong length, int prot, int flags, int fd, long offset)
    {
        ulong len = PageMap.PageUp(length);
        bool anonymous = (flags & MapAnonymous) != 0;
        string? path = anonymous ? null : FdPath(fd);
        var (device, inode) = anonymous ? (0UL, 0UL) : FileIdentity(fd);
        int hostFlags = (flags & ~(MapFixedNoReplace | MapGrowsDown | Map32Bit)) | MapFixed;
        nint result = Libc.Mmap((nint)start, (nuint)len, HostProtection(prot), hostFlags, anonymous ? -1 : fd, anonymous ? 0 : offset);
        if (result == Libc.MapFailed) return -Libc.Errno;
        bool shared = (flags & MapTypeMask) != MapPrivate;
        Install(new GuestMapping(start, len, PageProtections.FromLinux(prot), shared, path, anonymous ? 0 : offset, device, inode));
        return (long)start;
    }

    public long Munmap(ulong addr, ulong length)
    {
        if ((addr & PageMap.PageMask) != 0 || length == 0) return -EINVAL;
        ulong len = PageMap.PageUp(length);
        if (len == 0 || addr > PageMap.AddressLimit - len) return -EINVAL;
        foreach (var (start, runLength) in Pages.Runs(addr, len, owned: true))
        {
            if (!HostRelease(start, runLength)) return -Libc.Errno;
            Forget(start, runLength);
        }
        return 0;
    }

    public long Mprotect(ulong addr, ulong length, int prot)
    {
        if ((addr & PageMap.PageMask) != 0) return -EINVAL;
        if ((prot & ~(ProtRead | ProtWrite | ProtExec | ProtGrowsDown | ProtGrowsUp)) != 0) return -EINVAL;
        if (length == 0) return 0;
        ulong len = PageMap.PageUp(length);
        if (len == 0 || addr > PageMap.AddressLimit - len) return -ENOMEM;
        if (!Pages.IsRangeOwned(addr, len)) return -ENOMEM;
        if (Libc.Mprotect((nint)addr, (nuint)len, HostProtection(prot)) != 0) return -Libc.Errno;
        var protection = PageProtections.FromLinux(prot);
        Pages.Set(addr, len, protection);
        _mappings.Protect(addr, addr + len, protection);
        ProtectionChanged?.Invoke(addr, len, protection);
        return 0;
    }

    public long Mremap(ulong oldAddr, ulong oldSize, ulong newSize, int flags, ulong newAddr)
    {
        if ((oldAddr & PageMap.PageMask) != 0) return -EINVAL;
        if ((flags & ~(MremapMayMove | MremapFixed | MremapDontUnmap)) != 0) return -EINVAL;
        bool mayMove = (flags & MremapMayMove) != 0, toFixed = (flags & MremapFixed) != 0;
        if (toFixed && !mayMove) return -EINVAL;
        if ((flags & MremapDontUnmap) != 0 && (!mayMove || oldSize != newSize)) return -EINVAL;
        ulong oldLen = PageMap.PageUp(oldSize), newLen = PageMap.PageUp(newSize);
        if (newLen == 0 || (oldSize != 0 && oldLen == 0)) return -EINVAL;
        if (oldLen == 0) return -EINVAL; // duplicating a shared mapping (old_size 0) is not supported
        if (oldAddr > PageMap.AddressLimit - oldLen || !Pages.IsRangeOwned(oldAddr, oldLen)) return -EFAULT;

        if (toFixed)
        {
            if ((newAddr & PageMap.PageMask) != 0 || newAddr > PageMap.AddressLimit - newLen) return -EINVAL;
            if (newAddr < oldAddr + oldLen && oldAddr < newAddr + newLen) return -EINVAL;
            long unmapped = Munmap(newAddr, newLen);
            if (unmapped < 0) return unmapped;
            if (!HostReserve(newAddr, newLen)) return -ENOMEM;
            return Move(oldAddr, oldLen, newAddr, newLen, flags);
        }
        if (newLen <= oldLen)
        {
            if (newLen < oldLen)
            {
                long unmapped = Munmap(oldAddr + newLen, oldLen - newLen);
                if (unmapped < 0) return unmapped;
            }
            return (long)oldAddr;
        }
        ulong growth = newLen - oldLen;
        if (oldAddr + oldLen <= PageMap.AddressLimit - growth && Pages.IsRangeFree(oldAddr + oldLen, growth)
            && GrowInPlace(oldAddr, oldLen, growth))
        {
            var last = _mappings.Find(oldAddr + oldLen - 1)!;
            Install(last with
            {
                Start = oldAddr + oldLen, Length = growth,
                Offset = last.IsFile ? last.Offset + (long)(oldAddr + oldLen - last.Start) : 0,
            });
            return (long)oldAddr;
        }
        if (!mayMove) return -ENOMEM;
        long placed = Reserve(newLen, MmapBase, PlacementLimit);
        return placed < 0 ? placed : Move(oldAddr, oldLen, (ulong)placed, newLen, flags);
    }

    /// <summary>Emulated brk: the break starts at <see cref="BrkStart"/>; failures return the current break.</summary>
    public long Brk(ulong requested)
    {
        if (requested < BrkStart) return (long)CurrentBrk;
        ulong oldEnd = PageMap.PageUp(CurrentBrk), newEnd = PageMap.PageUp(requested);
        if (newEnd == 0 || newEnd > PlacementLimit) return (long)CurrentBrk;
        if (newEnd < oldEnd)
        {
            if (Munmap(newEnd, oldEnd - newEnd) < 0) return (long)CurrentBrk;
        }
        else if (newEnd > oldEnd)
        {
            if (!Pages.IsRangeFree(oldEnd, newEnd - oldEnd) || MapZeroed(oldEnd, newEnd - oldEnd, PageProtection.ReadWrite, "[heap]") < 0)
                return (long)CurrentBrk;
        }
        CurrentBrk = requested;
        return (long)CurrentBrk;
    }

    /// <summary>Where the break starts (after the program's bss), rounded up to a page as Linux does.</summary>
    public void SetBrkBase(ulong address)
    {
        BrkStart = CurrentBrk = PageMap.PageUp(address);
    }

    /// <summary>
    /// Map zeroed memory at a fixed address that must be free for host and guest alike (or, for start 0, where
    /// an anonymous mmap would go), naming it for /proc/self/maps (e.g. "[stack]"); returns the address or -errno.
    /// </summary>
    public long MapZeroed(ulong start, ulong length, PageProtection prot, string? name)
    {
        int placement = start == 0 ? 0 : MapFixedNoReplace;
        long result = Mmap(start, length, prot.ToLinux(), MapPrivate | MapAnonymous | placement | MapNoReserve, -1, 0);
        if (result >= 0 && name is not null)
        {
            ulong at = (ulong)result, len = PageMap.PageUp(length);
            _mappings.Remove(at, at + len);
            _mappings.Add(new GuestMapping(at, len, prot, false, name, 0));
        }
        return result;
    }

    /// <summary>
    /// Reserve <paramref name="length"/> bytes at the lowest free address in [low, high), preferring
    /// <paramref name="preferred"/> when it is free: host memory is taken (PROT_NONE) but not yet the
    /// guest's. Map over it with MAP_FIXED; give back what stays unused with <see cref="ReleaseReservation"/>.
    /// </summary>
    internal long Reserve(ulong length, ulong low, ulong high, ulong preferred = 0)
    {
        length = PageMap.PageUp(length);
        if (preferred != 0 && Pages.IsRangeFree(preferred, length) && HostReserve(preferred, length)) return (long)preferred;
        while (Pages.TryFindFree(length, low, high, out ulong candidate))
        {
            if (HostReserve(candidate, length)) return (long)candidate;
            low = HostMaps.EndOfOverlap(candidate, length) ?? candidate + PageMap.PageSize;
        }
        return -ENOMEM;
    }

    /// <summary>Give back the parts of a reservation the guest does not own.</summary>
    internal void ReleaseReservation(ulong start, ulong length) => ReleaseUnowned(start, PageMap.PageUp(length));

    private long Move(ulong oldAddr, ulong oldLen, ulong newAddr, ulong newLen, int flags)
    {
        nint result = Libc.Mremap((nint)oldAddr, (nuint)oldLen, (nuint)newLen, flags | MremapMayMove | MremapFixed, (nint)newAddr);
        if (result == Libc.MapFailed)
        {
            int errno = Libc.Errno;
            ReleaseUnowned(newAddr, newLen);
            return -errno;
        }
        var pieces = _mappings.Overlapping(oldAddr, oldAddr + oldLen);
        ulong moved = Math.Min(oldLen, newLen);
        foreach (var piece in pieces)
        {
            if (piece.Start >= oldAddr + moved) break;
            var kept = piece.Slice(piece.Start, oldAddr + moved);
            Install(kept with { Start = newAddr + (kept.Start - oldAddr) });
        }
        if (newLen > oldLen)
        {
            var last = pieces[^1];
            Install(last with
            {
                Start = newAddr + oldLen, Length = newLen - oldLen,
                Offset = last.IsFile ? last.Offset + (long)last.Length : 0,
            });
        }
        Remapped?.Invoke(oldAddr, newAddr, moved);
        if ((flags & MremapDontUnmap) != 0)
        {
            // The old range stays mapped, now as fresh zero pages (anonymous) or the file again.
            Unmapped?.Invoke(oldAddr, oldLen);
            foreach (var piece in pieces) Mapped?.Invoke(piece.Start, piece.Length, piece.Protection);
        }
        else
        {
            // The old range is no longer mapped at all: inside the region it goes back to the reservation.
            if (GuestRegion.Holds(oldAddr, oldLen)) GuestRegion.Restore(oldAddr, oldLen);
            Forget(oldAddr, oldLen);
        }
        return (long)newAddr;
    }

    /// <summary>mremap without moving, into free guest pages; inside the region their reservation makes way first.</summary>
    private static bool GrowInPlace(ulong oldAddr, ulong oldLen, ulong growth)
    {
        ulong end = oldAddr + oldLen;
        bool reserved = GuestRegion.Holds(end, growth);
        if (reserved) Libc.Munmap((nint)end, (nuint)growth);
        if (Libc.Mremap((nint)oldAddr, (nuint)oldLen, (nuint)(oldLen + growth), 0, 0) != Libc.MapFailed) return true;
        if (reserved) GuestRegion.Restore(end, growth);
        return false;
    }

    /// <summary>Record a new guest mapping (host memory already in place) and tell subscribers.</summary>
    private void Install(GuestMapping mapping)
    {
        foreach (var (start, length) in Pages.Runs(mapping.Start, mapping.Length, owned: true))
        {
            _mappings.Remove(start, start + length);
            Unmapped?.Invoke(start, length);
        }
        Pages.Set(mapping.Start, mapping.Length, mapping.Protection);
        _mappings.Add(mapping);
        Mapped?.Invoke(mapping.Start, mapping.Length, mapping.Protection);
    }

    private void Forget(ulong start, ulong length)
    {
        Pages.Clear(start, length);
        _mappings.Remove(start, start + length);
        Unmapped?.Invoke(start, length);
    }

    /// <summary>Take the host pages of [start, start+len) the guest does not own yet; -ENOMEM if the host uses any.</summary>
    private long ReserveUnowned(ulong start, ulong len)
    {
        var taken = new List<(ulong, ulong)>();
        foreach (var (runStart, runLength) in Pages.Runs(start, len, owned: false))
        {
            if (!HostReserve(runStart, runLength))
            {
                foreach (var (s, l) in taken) HostRelease(s, l);
                return -ENOMEM;
            }
            taken.Add((runStart, runLength));
        }
        return 0;
    }

    private void ReleaseUnowned(ulong start, ulong len)
    {
        foreach (var (runStart, runLength) in Pages.Runs(start, len, owned: false))
            HostRelease(runStart, runLength);
    }

    /// <summary>
    /// A PROT_NONE placeholder where the host has nothing; false if the host uses any of the range. Inside the guest
    /// region the reservation already is one.
    /// </summary>
    private static bool HostReserve(ulong start, ulong len)
    {
        if (GuestRegion.Holds(start, len)) return true;
        nint result = Libc.Mmap((nint)start, (nuint)len, 0, MapPrivate | MapAnonymous | MapNoReserve | MapFixedNoReplace, -1, 0);
        if (result == Libc.MapFailed) return false;
        if ((ulong)result == start) return true;
        // Kernels before 4.17 treat the unknown flag as a hint and may place it elsewhere.
        Libc.Munmap(result, (nuint)len);
        return false;
    }

    /// <summary>Gives host pages back: inside the guest region to the reservation, elsewhere to the host.</summary>
    private static bool HostRelease(ulong start, ulong len)
    {
        ulong inside = GuestRegion.IsReserved && start < GuestRegion.End ? Math.Min(len, GuestRegion.End - start) : 0;
        if (inside > 0 && !GuestRegion.Restore(start, inside)) return false;
        return inside == len || Libc.Munmap((nint)(start + inside), (nuint)(len - inside)) == 0;
    }

    /// <summary>Guest code is never run natively: execute-only pages become readable, PROT_EXEC is dropped.</summary>
    private static int HostProtection(int prot)
    {
        int p = prot & (ProtRead | ProtWrite | ProtExec);
        return (p & ProtExec) != 0 ? (p & ~ProtExec) | ProtRead : p;
    }

    private static string? FdPath(int fd) => new FileInfo($"/proc/self/fd/{fd}").LinkTarget;

    private static unsafe (ulong Device, ulong Inode) FileIdentity(int fd)
    {
        byte* stat = stackalloc byte[Libc.StatSize];
        return Libc.Fstat(fd, stat) == 0 ? (*(ulong*)stat, *(ulong*)(stat + 8)) : (0, 0);
    }

    /// <summary>The guest's view of /proc/self/maps.</summary>
    public string FormatProcMaps() => string.Concat(_mappings.All.Select(m => m + "\n"));

    public void Dispose()
    {
        foreach (var m in _mappings.All) HostRelease(m.Start, m.Length);
        Pages.Dispose();
    }
}
