using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// What <see cref="StackPointerTracking"/> calls: memcheck's new_mem_stack (undefined, with the origin tag of the
/// allocation) and die_mem_stack (noaccess).
/// </summary>
internal static unsafe class StackHelpers
{
    /// <summary>(address, length, origin tag): stack memory came to life.</summary>
    public static readonly IrHelper NewStack = new("mc_new_mem_stack", &New, 3, isPure: false);
    /// <summary>(address, length): stack memory died.</summary>
    public static readonly IrHelper DieStack = new("mc_die_mem_stack", &Die, 2, isPure: false);
    /// <summary>(old RSP, new RSP, origin tag): a move by an amount known only at run time.</summary>
    public static readonly IrHelper UnknownMove = new("mc_unknown_sp_update", &Unknown, 3, isPure: false);
    /// <summary>(address, target): the red zone of a call or return, its origin where it jumps, known only at run time.</summary>
    public static readonly IrHelper JumpRedZone = new("mc_jump_red_zone", &RedZoneOfJump, 2, isPure: false);

    /// <summary>
    /// (new RSP, bytes released, target): a return by a constant amount: the stack it released dies and the red zone
    /// below the new RSP is undefined, its origin where the return goes.
    /// </summary>
    public static readonly IrHelper Return = new("mc_return", &Returned, 3, isPure: false);

    private static IShadowMemoryOwner Owner(GuestState* state) =>
        (IShadowMemoryOwner)GCHandle.FromIntPtr(state->ToolHandle).Target!;

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

    [UnmanagedCallersOnly]
    private static ulong Returned(GuestState* state, ulong sp, ulong released, ulong target, ulong a3)
    {
        var owner = Owner(state);
        ulong redZone = sp - StackPointerTracking.RedZone;
        owner.Shadow.MakeNoAccess(redZone - released, released);
        owner.Shadow.MakeUndefined(redZone, StackPointerTracking.RedZone, owner.StackOrigin(target));
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong RedZoneOfJump(GuestState* state, ulong address, ulong target, ulong a2, ulong a3)
    {
        var owner = Owner(state);
        owner.Shadow.MakeUndefined(address, StackPointerTracking.RedZone, owner.StackOrigin(target));
        return 0;
    }
}
