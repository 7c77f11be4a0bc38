using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Os;

/// <summary>
/// What the kernel needs from whoever runs the guest threads: the calling thread, new threads and
/// processes, and leaving the guest lock while a syscall blocks so other guest threads can run.
/// </summary>
public unsafe interface IGuestThreads
{
    /// <summary>The guest thread making the current syscall.</summary>
    GuestThread Current { get; }

    /// <summary>The live guest thread with host thread id <paramref name="tid"/>, or null.</summary>
    GuestThread? Find(int tid);

    /// <summary>A new guest thread sharing the address space (clone with CLONE_VM); returns its tid or -errno.</summary>
    long CreateThread(GuestState* parent, in CloneRequest request);

    /// <summary>A new process (fork, vfork, clone without CLONE_VM): the host forks; returns the child's pid, 0 in the child.</summary>
    long Fork(GuestState* state, in CloneRequest request);

    /// <summary>Lets other guest threads run while this one waits in the host kernel.</summary>
    void LeaveGuest();
    /// <summary>Waits for this thread's turn to run guest code again.</summary>
    void EnterGuest();
}

/// <summary>The arguments of clone(flags, stack, parent_tid, child_tid, tls) as x86-64 orders them.</summary>
public readonly record struct CloneRequest(ulong Flags, ulong Stack, ulong ParentTid, ulong ChildTid, ulong Tls)
{
    public const ulong CloneVm = 0x100, CloneVfork = 0x4000, CloneThread = 0x10000, CloneSetTls = 0x80000,
        CloneParentSetTid = 0x100000, CloneChildClearTid = 0x200000, CloneChildSetTid = 0x1000000;
    /// <summary>The signal the child sends its parent at exit: the low byte of the flags.</summary>
    public const ulong ExitSignalMask = 0xFF;

    public bool Has(ulong flag) => (Flags & flag) != 0;
}
