using static Memcheck.Engine.Guest.LinuxMm;

namespace Memcheck.Engine.Guest;

/// <summary>
/// The low 128 GiB of the address space, where the engine places guest memory (program, libraries, mmaps, stack:
/// <see cref="GuestAddressSpace"/>), reserved PROT_NONE for the whole process when the engine starts so that the host
/// never maps anything there. Generated code then needs no page-ownership lookup for an access inside it: the guest
/// owns the memory or the page is inaccessible and the MMU refuses the access (a guest fault, <c>Jit.CacheFaults</c>).
/// Only accesses outside the region (a guest mapping the guest placed there itself) take the slow check.
/// Guest memory given back returns to the reservation rather than to the host.
/// </summary>
public static class GuestRegion
{
    /// <summary>First address above the region: a power of two, so the check is one shift.</summary>
    public const ulong End = 1UL << EndShift;
    public const int EndShift = 37;

    /// <summary>Whether the reservation is in place (nothing of the host's was already in the region).</summary>
    public static bool IsReserved { get; } = Reserve();

    /// <summary>Whether [start, start+length) lies in the reserved region.</summary>
    public static bool Holds(ulong start, ulong length) => IsReserved && start >= GuestAddressSpace.MinAddress && start + length <= End;

    /// <summary>Puts [start, start+length) (inside the region) back into the reservation: inaccessible, not committed.</summary>
    public static bool Restore(ulong start, ulong length) =>
        Libc.Mmap((nint)start, (nuint)length, 0, MapPrivate | MapAnonymous | MapNoReserve | MapFixed, -1, 0) != Libc.MapFailed;

    private static bool Reserve()
    {
        ulong start = GuestAddressSpace.MinAddress;
        nint result = Libc.Mmap((nint)start, (nuint)(End - start), 0, MapPrivate | MapAnonymous | MapNoReserve | MapFixedNoReplace, -1, 0);
        if (result == Libc.MapFailed) return false;
        if ((ulong)result == start) return true;
        // Kernels before 4.17 treat the unknown flag as a hint and may place it elsewhere.
        Libc.Munmap(result, (nuint)(End - start));
        return false;
    }
}
