namespace Memcheck.Engine.Os;

/// <summary>
/// The descriptor numbers the guest may use, as Valgrind sets them up: it keeps the top <see cref="Reserved"/> numbers
/// of the soft RLIMIT_NOFILE for itself, raising that limit by as many where the hard limit allows, and the guest sees
/// the rest as both its soft and hard limit. A descriptor past the hard limit is refused where the guest names one
/// (close, dup2's target), and a new one must lie below the soft limit, which the guest may lower.
/// </summary>
public sealed class DescriptorLimits(int soft, int hard)
{
    public const int RlimitNofile = 7;
    /// <summary>Valgrind's N_RESERVED_FDS.</summary>
    public const int Reserved = 12;

    public int Soft { get; private set; } = soft;
    public int Hard { get; } = hard;

    /// <summary>The limits as getrlimit gives them to the guest.</summary>
    public ResourceLimit Limit => new((ulong)Soft, (ulong)Hard);

    /// <summary>The host's soft limit raised to make room for the reserve, and what is left below it for the guest.</summary>
    public static unsafe DescriptorLimits ReserveOnHost()
    {
        var host = ResourceLimit.OfHost(RlimitNofile);
        ulong raised = host.Current <= host.Maximum - Reserved ? host.Current + Reserved : host.Maximum;
        var set = new ResourceLimit(raised, host.Maximum);
        // Without the raise (a hard limit at the soft one) the reserve comes out of the guest's share.
        HostSyscall.Invoke(SyscallTable.Named("setrlimit").Number, RlimitNofile, (ulong)&set);
        int limit = (int)Math.Min(raised - Reserved, int.MaxValue);
        return new DescriptorLimits(limit, limit);
    }

    /// <summary>Whether the guest may name <paramref name="fd"/>; a descriptor about to be made must also be below the soft limit.</summary>
    public bool Allows(long fd, bool isNew) => fd >= 0 && fd < Hard && (!isNew || fd < Soft);

    /// <summary>
    /// setrlimit of RLIMIT_NOFILE: only the soft limit may move, up to the hard one (else EPERM, as under Valgrind; a
    /// soft limit above the hard one is EINVAL first).
    /// </summary>
    public long Set(ResourceLimit limit)
    {
        if (limit.Current > limit.Maximum) return -Errno.EINVAL;
        if (limit.Current > (ulong)Hard || limit.Maximum != (ulong)Hard) return -Errno.EPERM;
        Soft = (int)limit.Current;
        return 0;
    }
}
