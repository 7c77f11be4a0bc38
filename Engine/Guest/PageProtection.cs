namespace Memcheck.Engine.Guest;

/// <summary>Guest page permissions; the values are the PageMap's byte bits the JIT tests inline.</summary>
[Flags]
public enum PageProtection : byte
{
    None = 0,
    Read = 1,
    Write = 2,
    Execute = 4,
    ReadWrite = Read | Write,
    ReadExecute = Read | Execute,
    All = Read | Write | Execute,
}

public static class PageProtections
{
    /// <summary>From Linux PROT_* bits (PROT_READ=1, PROT_WRITE=2, PROT_EXEC=4 line up with ours).</summary>
    public static PageProtection FromLinux(int prot) => (PageProtection)(prot & 7);

    public static int ToLinux(this PageProtection prot) => (int)prot;

    /// <summary>"rwx" letters as /proc/self/maps shows them (without the p/s column).</summary>
    public static string ToRwx(this PageProtection prot) =>
        $"{((prot & PageProtection.Read) != 0 ? 'r' : '-')}{((prot & PageProtection.Write) != 0 ? 'w' : '-')}{((prot & PageProtection.Execute) != 0 ? 'x' : '-')}";
}
