using Memcheck.Engine.Core;

namespace Memcheck.Engine.Jit;

/// <summary>
/// What generated code is bound to: the page-ownership map (or the tool's addressability map) it checks
/// guest accesses against and the cache it lives in.
/// </summary>
public sealed class BackendContext
{
    /// <summary>
    /// The PageMap's first-level table (2^19 pointers indexed by address &gt;&gt; 28). Embedded into every
    /// block as a constant, so it must stay at this address for the cache's lifetime.
    /// </summary>
    public nint PageMapLevel1 { get; }
    public CodeCache Cache { get; }
    /// <summary>
    /// The tool's addressability map: when set, every guest access is checked against it (the tool's slow path
    /// deciding about bytes it marks not addressable) instead of the page map.
    /// </summary>
    public AccessCheck? AccessCheck { get; init; }
    /// <summary>
    /// Where the reserved guest region ends (a power of two), or 0 without one. Below it the guest owns a page or the
    /// MMU refuses the access, so without an access check generated code only tests that an access lies below it.
    /// </summary>
    public ulong GuestRegionEnd { get; init; }
    /// <summary>Whether blocks add the guest instructions they ran to state->InstrCount (as the interpreter always does).</summary>
    public bool CountInstructions { get; init; } = true;
    /// <summary>
    /// False: every block returns to the dispatcher, indirect exits included (no jump through the
    /// cache's lookup table), so one call runs exactly one block, as lockstep checking needs.
    /// </summary>
    public bool Chaining { get; init; } = true;
    private AccessRoutines? _routines;

    /// <summary>This context's access-check routines, placed in its cache now unless they are already there.</summary>
    internal AccessRoutines Routines()
    {
        if (_routines != null && _routines.Generation == Cache.Generation) return _routines;
        var a = new HostAssembler();
        a.Reset((ulong)Cache.Top);
        _routines = AccessRoutines.Emit(a, this);
        Cache.Place(a);
        return _routines;
    }

    public BackendContext(nint pageMapLevel1, CodeCache cache)
    {
        if (pageMapLevel1 == 0) throw new ArgumentException("the page map has no first-level table", nameof(pageMapLevel1));
        PageMapLevel1 = pageMapLevel1;
        Cache = cache;
    }
}
