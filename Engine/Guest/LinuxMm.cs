namespace Memcheck.Engine.Guest;

/// <summary>Linux x86-64 constants of the memory-management syscalls (asm-generic/mman-common.h, mman.h).</summary>
public static class LinuxMm
{
    public const int ProtRead = 1, ProtWrite = 2, ProtExec = 4;
    public const int ProtGrowsDown = 0x01000000, ProtGrowsUp = 0x02000000;

    public const int MapShared = 0x01, MapPrivate = 0x02, MapSharedValidate = 0x03, MapTypeMask = 0x0f;
    public const int MapFixed = 0x10, MapAnonymous = 0x20, Map32Bit = 0x40;
    public const int MapGrowsDown = 0x100, MapDenyWrite = 0x800, MapExecutable = 0x1000, MapLocked = 0x2000;
    public const int MapNoReserve = 0x4000, MapPopulate = 0x8000, MapNonBlock = 0x10000, MapStack = 0x20000;
    public const int MapHugeTlb = 0x40000, MapSync = 0x80000, MapFixedNoReplace = 0x100000;

    public const int MremapMayMove = 1, MremapFixed = 2, MremapDontUnmap = 4;
}

