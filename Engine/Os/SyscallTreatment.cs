namespace Memcheck.Engine.Os;

/// <summary>How the engine serves a guest syscall.</summary>
public enum SyscallTreatment : byte
{
    /// <summary>Executed by the host kernel with the guest's arguments unchanged (guest addresses are host addresses).</summary>
    PassThrough,
    /// <summary>Implemented by the engine: it touches state the engine owns (memory map, signals, fs base, host fds).</summary>
    Emulated,
    /// <summary>Not available to the guest yet: -ENOSYS and Valgrind's "unhandled syscall" warning.</summary>
    Unsupported,
}
