using System.Runtime.InteropServices;

namespace Memcheck.Engine.Os;

/// <summary>A struct rlimit as the kernel lays it out (soft then hard limit; ulong.MaxValue is RLIM_INFINITY).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct ResourceLimit(ulong Current, ulong Maximum)
{
    public const int RlimitStack = 3;

    /// <summary>The engine process's own limit, which the guest inherits at start.</summary>
    public static unsafe ResourceLimit OfHost(int resource)
    {
        ResourceLimit limit;
        long result = HostSyscall.Invoke(SyscallTable.Named("getrlimit").Number, (ulong)resource, (ulong)&limit);
        if (result < 0) throw new InvalidOperationException($"getrlimit({resource}) failed: errno {-result}");
        return limit;
    }
}
