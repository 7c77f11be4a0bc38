using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Core;

/// <summary>Linux signal numbers the engine raises for guest faults, and their names as Valgrind prints them.</summary>
public static class GuestSignal
{
    public const int SigIll = 4, SigTrap = 5, SigAbrt = 6, SigBus = 7, SigFpe = 8, SigKill = 9, SigSegv = 11;

    private static readonly string[] Names =
    [
        "0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
        "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
        "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
        "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    public static string Name(int signal) => signal >= 0 && signal < Names.Length ? Names[signal] : $"SIGRT{signal - 32}";
}

/// <summary>A synchronous fault the guest caused, with the si_code/si_addr details the report prints.</summary>
public sealed record GuestFault(int Signal, ulong Pc, ulong Address, FaultDetail Detail, StackTrace Stack)
{
    /// <summary>For a signal sent (<see cref="FaultDetail.Sent"/>), its si_code: SI_USER from kill, SI_TKILL from raise or abort.</summary>
    public int SentCode { get; init; }
}

public enum FaultDetail
{
    /// <summary>SEGV_MAPERR: nothing mapped there.</summary>
    NotMapped,
    /// <summary>SEGV_ACCERR: mapped, but not with the needed permission.</summary>
    BadPermissions,
    /// <summary>BUS_ADRERR: mapped, but nothing backs it (a file mapping past the file's end).</summary>
    NonExistentPhysicalAddress,
    /// <summary>SI_KERNEL: a general-protection exception, no address.</summary>
    GeneralProtection,
    IntegerDivideByZero,
    IllegalOpcode,
    Breakpoint,
    /// <summary>Sent (kill, tgkill, alarm, from outside), not caused by an instruction: no detail line.</summary>
    Sent,
}
