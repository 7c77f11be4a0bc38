namespace Memcheck.Engine.Os;

/// <summary>What the dispatcher does after a syscall: continue the guest, or end it with an exit status.</summary>
public readonly record struct SyscallOutcome(bool Exits, int ExitStatus)
{
    public static SyscallOutcome Continue => default;
    public static SyscallOutcome Exit(int status) => new(true, status);
}
