namespace Memcheck.Engine.Guest;

/// <summary>Auxiliary vector entry types (linux/auxvec.h, asm/auxvec.h).</summary>
public static class AuxvType
{
    public const ulong Null = 0, Phdr = 3, Phent = 4, Phnum = 5, PageSz = 6, Base = 7, Flags = 8, Entry = 9;
    public const ulong Uid = 11, Euid = 12, Gid = 13, Egid = 14, Platform = 15, HwCap = 16, ClkTck = 17;
    public const ulong Secure = 23, Random = 25, HwCap2 = 26, ExecFn = 31, SysInfoEhdr = 33, MinSigStkSz = 51;
}
