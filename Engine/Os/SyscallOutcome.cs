namespace Memcheck.Engine.Os;

/// <summary>
/// What the dispatcher does after a syscall: continue the guest, or end it with an exit status. A syscall that
/// <see cref="Restarts"/> did not happen: a signal handler runs first, and the guest then makes it again.
/// </summary>
public readonly record struct SyscallOutcome(bool Exits, int ExitStatus, bool Restarts = false)
{
    public static SyscallOutcome Continue => default;
    public static SyscallOutcome Exit(int status) => new(true, status);
    public static SyscallOutcome Restart => new(false, 0, true);
}
