namespace Memcheck.Engine.Ir;

/// <summary>Why control leaves a superblock: tells the dispatcher what to do before continuing.</summary>
public enum JumpKind : byte
{
    /// <summary>Ordinary jump to the next guest address.</summary>
    Boring,
    Call,
    Ret,
    /// <summary>Execute the syscall in the guest registers, then continue at the target.</summary>
    Syscall,
    /// <summary>Valgrind client request (the magic rol/xchg sequence); continue at the target.</summary>
    ClientRequest,
    /// <summary>The instruction at the target could not be decoded or lifted: SIGILL.</summary>
    NoDecode,
    /// <summary>Guest CPU exceptions, turned into guest signals at the instruction's address.</summary>
    SigSegv,
    SigFpeIntDiv,
    SigTrap,
    SigIll,
    /// <summary>Give other guest threads a turn (pause, sched_yield spin loops).</summary>
    Yield,
    /// <summary>Guest code at the target was modified: drop its translations, then continue.</summary>
    InvalidateICache,
    /// <summary>The guest ran the hlt instruction (privileged): SIGSEGV as Linux delivers it.</summary>
    Halt,
    /// <summary>A guest access the host MMU refused with SIGBUS (a file mapping beyond the file's end); FaultAddr set.</summary>
    SigBus,
}
