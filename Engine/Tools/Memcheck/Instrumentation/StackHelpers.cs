using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// What <see cref="StackPointerTracking"/> calls: memcheck's new_mem_stack (undefined; with origins, created by the
/// instruction that moved RSP down), die_mem_stack (noaccess), and at every call and return the red zone below the
/// new RSP made undefined, created by where the jump goes (for a return, a tag looked up at run time).
/// </summary>
internal static unsafe class StackHelpers
{
    // Generated code fills the map itself where it can (MapFill), and with origins the tags (the map of the run's tags).

    /// <summary>(address, length): stack memory came to life.</summary>
    private static readonly IrHelper NewStack = new("mc_new_mem_stack", &New, 2, isPure: false)
    {
        Fill = new MapFill(AddressArg: 0, LengthArg: 1, (int)VaBits.Undefined),
    };

    /// <summary>(address, length): stack memory died.</summary>
    private static readonly IrHelper DieStack = new("mc_die_mem_stack", &Die, 2, isPure: false)
    {
        Fill = new MapFill(AddressArg: 0, LengthArg: 1, (int)VaBits.NoAccess),
    };

    /// <summary>(old RSP, new RSP): a move by an amount known only at run time.</summary>
    private static readonly IrHelper UnknownMove = new("mc_unknown_sp_update", &Unknown, 2, isPure: false);
    /// <summary>(old RSP, new RSP, origin tag): the same, what stack it makes created by what the tag names.</summary>
    private static readonly IrHelper UnknownMoveCreated = new("mc_unknown_sp_update_w_origin", &Unknown, 3, isPure: false);
    /// <summary>The stack events without origins: a third argument would be 0 on every push and call.</summary>
    public static readonly StackEvents Events = new(NewStack, DieStack, UnknownMove) { RedZoneDies = true };

    /// <summary>
    /// The stack events with origins: new stack carries the tag <paramref name="stackOrigin"/> gives its instruction,
    /// in the tags at <paramref name="tags"/> (an origin map's primary); at run time the stack origins are looked up in
    /// <paramref name="recentStackOrigins"/> first.
    /// </summary>
    public static StackEvents WithOrigins(Func<ulong, uint> stackOrigin, nint tags, ResultCache recentStackOrigins) =>
        new(NewStackCreated(tags), DieStackUntagged(tags), UnknownMoveCreated)
        {
            CreatedBy = address => stackOrigin(address),
            RedZoneDies = true,
            CreatorAt = new IrHelper("mc_stack_origin", &StackOriginAt, 1, isPure: true) { Cache = recentStackOrigins },
        };

    /// <summary>(address, length, origin tag): stack memory came to life, created by what the tag names.</summary>
    private static IrHelper NewStackCreated(nint tags) => new("mc_new_mem_stack_w_origin", &New, 3, isPure: false)
    {
        Fill = new MapFill(AddressArg: 0, LengthArg: 1, (int)VaBits.Undefined) { Tags = new TagFill(tags, TagArg: 2) },
    };

    /// <summary>(address, length): stack memory died, and its bytes lose their origin tags.</summary>
    private static IrHelper DieStackUntagged(nint tags) => new("mc_die_mem_stack_w_origin", &Die, 2, isPure: false)
    {
        Fill = new MapFill(AddressArg: 0, LengthArg: 1, (int)VaBits.NoAccess) { Tags = new TagFill(tags) },
    };

    private static IShadowMemoryOwner Owner(GuestState* state) =>
        (IShadowMemoryOwner)GCHandle.FromIntPtr(state->ToolHandle).Target!;

    /// <summary>Called by both NewStack helpers: without origins the third argument is 0, no origin.</summary>
    [UnmanagedCallersOnly]
    private static ulong New(GuestState* state, ulong address, ulong length, ulong origin, ulong a3)
    {
        Owner(state).Shadow.MakeUndefined(address, length, (uint)origin);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong Die(GuestState* state, ulong address, ulong length, ulong a2, ulong a3)
    {
        Owner(state).Shadow.MakeNoAccess(address, length);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong Unknown(GuestState* state, ulong oldSp, ulong newSp, ulong origin, ulong a3)
    {
        long delta = (long)(newSp - oldSp);
        if (delta == 0 || Math.Abs(delta) > StackPointerTracking.MaxStackFrame) return 0; // a switch to another stack
        var shadow = Owner(state).Shadow;
        if (delta < 0) shadow.MakeUndefined(newSp - StackPointerTracking.RedZone, (ulong)-delta, (uint)origin);
        else shadow.MakeNoAccess(oldSp - StackPointerTracking.RedZone, (ulong)delta);
        return 0;
    }

    /// <summary>(code address) -> the origin tag of stack the code there makes (a return's target).</summary>
    [UnmanagedCallersOnly]
    private static ulong StackOriginAt(GuestState* state, ulong codeAddress, ulong a1, ulong a2, ulong a3) =>
        Owner(state).StackOrigin(codeAddress);
}
