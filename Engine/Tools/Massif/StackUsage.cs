using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Massif;

/// <summary>
/// --stacks=yes: what <see cref="StackPointerTracking"/> calls as the guest's stack pointers move. Stack that comes to
/// life adds to the stack bytes, stack that dies is a deallocation; a move of more than a frame is a switch to another
/// stack and changes nothing. Each change is a chance for a snapshot, as in Valgrind.
/// </summary>
internal static unsafe class StackUsage
{
    public static readonly StackEvents Events = new(
        new IrHelper("ms_new_mem_stack", &New, 2, isPure: false),
        new IrHelper("ms_die_mem_stack", &Die, 2, isPure: false),
        new IrHelper("ms_unknown_sp_update", &Unknown, 2, isPure: false));

    private static MassifProfile Profile(GuestState* state) => ((MassifTool)GCHandle.FromIntPtr(state->ToolHandle).Target!).Profile;

    [UnmanagedCallersOnly]
    private static ulong New(GuestState* state, ulong address, ulong length, ulong a2, ulong a3)
    {
        Grew(Profile(state), length);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong Die(GuestState* state, ulong address, ulong length, ulong a2, ulong a3)
    {
        Shrank(Profile(state), length);
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong Unknown(GuestState* state, ulong oldSp, ulong newSp, ulong a2, ulong a3)
    {
        long delta = (long)(newSp - oldSp);
        if (delta == 0 || Math.Abs(delta) > StackPointerTracking.MaxStackFrame) return 0;
        if (delta < 0) Grew(Profile(state), (ulong)-delta);
        else Shrank(Profile(state), (ulong)delta);
        return 0;
    }

    private static void Grew(MassifProfile profile, ulong length)
    {
        profile.StackGrew(length);
        profile.Changed();
    }

    private static void Shrank(MassifProfile profile, ulong length)
    {
        profile.Deallocating();
        profile.StackShrank(length);
        profile.Changed();
    }
}
