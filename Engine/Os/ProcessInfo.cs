namespace Memcheck.Engine.Os;

/// <summary>What the kernel knows about the guest process that the guest may ask back.</summary>
public sealed class ProcessInfo
{
    /// <summary>Absolute path of the guest executable: what /proc/self/exe shows the guest.</summary>
    public required string ExecutablePath { get; init; }
    /// <summary>The guest's pid: the host process's, as under Valgrind (a forked child's own).</summary>
    public int Pid { get; set; } = Environment.ProcessId;
    public IReadOnlyList<string> Argv { get; init; } = [];
    /// <summary>The auxiliary vector as placed on the guest's initial stack (for /proc/self/auxv).</summary>
    public byte[] Auxv { get; init; } = [];
    public ulong InitialBrk { get; init; }
    /// <summary>The guest's /proc/self/maps text, asked at each open (GuestAddressSpace.FormatProcMaps);
    /// null leaves the host's file.</summary>
    public Func<string>? ProcMaps { get; init; }
    /// <summary>The guest's RLIMIT_STACK; getrlimit/setrlimit of it never reach the host.</summary>
    public ResourceLimit StackLimit { get; set; } = ResourceLimit.OfHost(ResourceLimit.RlimitStack);
    /// <summary>The descriptor numbers the guest may use (its RLIMIT_NOFILE); the host's limit unless reserved.</summary>
    public DescriptorLimits Descriptors { get; init; } = Unreserved();
    /// <summary>The preload objects the guest's LD_PRELOAD names as under Valgrind.</summary>
    public PreloadObjects Preloads { get; init; } = PreloadObjects.None;

    private static DescriptorLimits Unreserved()
    {
        var host = ResourceLimit.OfHost(DescriptorLimits.RlimitNofile);
        return new DescriptorLimits((int)Math.Min(host.Current, int.MaxValue), (int)Math.Min(host.Maximum, int.MaxValue));
    }
}
