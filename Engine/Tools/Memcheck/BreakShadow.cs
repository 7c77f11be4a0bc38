using Memcheck.Engine.Guest;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// The program break as memcheck shadows it, byte-exact: memory brk adds is undefined (its origin the brk call's
/// stack, "unknown" kind), memory it gives back is noaccess, and so is the rest of the break's last page, which the
/// guest owns but has not asked for. Static programs' malloc lives there, so their reports depend on it.
/// </summary>
internal sealed class BreakShadow(GuestAddressSpace space, ShadowMemory shadow)
{
    private ulong _before;

    /// <summary>Before a brk call: the break it starts from.</summary>
    public void Before() => _before = space.CurrentBrk;

    /// <summary>After a brk call: new memory undefined (defined when V bits are not tracked), released memory noaccess.</summary>
    public void After(bool definedness, Func<uint> origin)
    {
        ulong after = space.CurrentBrk;
        if (after > _before)
        {
            if (definedness) shadow.MakeUndefined(_before, after - _before, origin());
            else shadow.MakeDefined(_before, after - _before);
        }
        else if (after < _before) shadow.MakeNoAccess(after, _before - after);
        shadow.MakeNoAccess(after, PageMap.PageUp(after) - after);
    }
}
