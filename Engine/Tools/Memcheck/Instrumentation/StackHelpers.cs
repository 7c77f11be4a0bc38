using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>What <see cref="StackPointerTracking"/> calls: memcheck's new_mem_stack (undefined) and die_mem_stack (noaccess).</summary>
internal static unsafe class StackHelpers
{
    /// <summary>(address, length): stack memory came to life.</summary>
    public static readonly IrHelper NewStack = new("mc_new_mem_stack", &New, 2, isPure: false)
    {
        Fill = new MapFill(AddressArg: 0, LengthArg: 1, (int)VaBits.Undefined),
    };
    /// <summary>(address, length): stack memory died.</summary>
    public static readonly IrHelper DieStack = new("mc_die_mem_stack", &Die, 2, isPure: false)
    {
        Fill = new MapFill(AddressArg: 0, LengthArg: 1, (int)VaBits.NoAccess),
    };
    /// <summary>(old RSP, new RSP): a move by an amount known only at run time.</summary>
    public static readonly IrHelper UnknownMove = new("mc_unknown_sp_update", &Unknown, 2, isPure: false);

    /// <summary>A dead red zone (VEX's ABI hint at calls and returns) is undefined, as new stack is.</summary>
    public static readonly StackEvents Events = new(NewStack, DieStack, UnknownMove, RedZoneDies: NewStack);

    private static ShadowMemory Shadow(GuestState* state) =>
        ((IShadowMemoryOwner)GCHandle.FromIntPtr(state->ToolHandle).Target!).Shadow;

    [UnmanagedCallersOnly]
    private static ulong New(GuestState* state, ulong address, ulong length, ulong a2, ulong a3)
    {
        Shadow(state).MakeUndefined(address, length);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong Die(GuestState* state, ulong address, ulong length, ulong a2, ulong a3)
    {
        Shadow(state).MakeNoAccess(address, length);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong Unknown(GuestState* state, ulong oldSp, ulong newSp, ulong a2, ulong a3)
    {
        long delta = (long)(newSp - oldSp);
        if (delta == 0 || Math.Abs(delta) > StackPointerTracking.MaxStackFrame) return 0; // a switch to another stack
        if (delta < 0) Shadow(state).MakeUndefined(newSp - StackPointerTracking.RedZone, (ulong)-delta);
        else Shadow(state).MakeNoAccess(oldSp - StackPointerTracking.RedZone, (ulong)delta);
        return 0;
    }
}
