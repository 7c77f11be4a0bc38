using Memcheck.Engine.Guest;
using Memcheck.Engine.Tools.Heap;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// Keeps the A bits in step with the guest's mappings as memcheck does: memory mapped with any permission is
/// addressable and defined, without permission noaccess; unmapped memory is noaccess; mremap carries the shadow
/// along. mprotect granting access makes noaccess bytes defined (glibc maps a thread's stack PROT_NONE, then opens
/// it) and leaves addressable ones as they are; taking access away leaves the shadow alone, as memcheck does (the
/// access then faults). The heap arena's mappings start noaccess: only its blocks become addressable.
/// </summary>
public sealed class AddressSpaceShadow(GuestAddressSpace space, ShadowMemory shadow, HeapArena arena)
{
    /// <summary>Shadow what is mapped now, then follow the address space's events.</summary>
    public void Follow()
    {
        foreach (GuestMapping m in space.Mappings) Mapped(m.Start, m.Length, m.Protection);
        space.Mapped += Mapped;
        space.Unmapped += shadow.MakeNoAccess;
        space.Remapped += (from, to, length) => shadow.CopyRange(from, to, length);
        space.ProtectionChanged += Opened;
    }

    private void Opened(ulong start, ulong length, PageProtection protection)
    {
        if (protection == PageProtection.None) return;
        ulong end = start + length;
        for (ulong a = start; a < end && shadow.CheckAddressable(a, end - a) is ulong hole; )
        {
            ulong run = hole;
            while (run < end && shadow.Get(run) == VaBits.NoAccess) run++;
            shadow.MakeDefined(hole, run - hole);
            a = run;
        }
    }

    private void Mapped(ulong start, ulong length, PageProtection protection)
    {
        if (arena.Mapping || protection == PageProtection.None)
            shadow.MakeNoAccess(start, length);
        else
            shadow.MakeDefined(start, length);
    }
}
