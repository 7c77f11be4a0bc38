namespace Memcheck.Engine.Os;

/// <summary>
/// One x86-64 Linux syscall: its number and name from the kernel header, how the engine serves it, and
/// its argument layout (null while not described yet; empty when it takes no arguments).
/// </summary>
public sealed record SyscallEntry(int Number, string Name, SyscallTreatment Treatment, IReadOnlyList<SyscallArg>? Arguments);
