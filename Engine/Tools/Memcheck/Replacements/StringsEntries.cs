using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>One replacement body as a helper the core can call: its native entry point and how many arguments it takes.</summary>
public sealed unsafe class StringImplementation(delegate* unmanaged<GuestState*, ulong, ulong, ulong, ulong, ulong> function, int argCount)
{
    public delegate* unmanaged<GuestState*, ulong, ulong, ulong, ulong, ulong> Function { get; } = function;
    public int ArgCount { get; } = argCount;
}

/// <summary>
/// The native entry points of the string replacements: each finds the tool (an <see cref="IStringCheckHost"/>)
/// through the guest state's tool handle and runs its body over checked guest memory.
/// </summary>
public static unsafe class StringImplementations
{
    public static readonly StringImplementation Strlen = new(&StrlenEntry, 1);
    public static readonly StringImplementation Strnlen = new(&StrnlenEntry, 2);
    public static readonly StringImplementation Strchr = new(&StrchrEntry, 2);
    public static readonly StringImplementation Strrchr = new(&StrrchrEntry, 2);
    public static readonly StringImplementation Strchrnul = new(&StrchrnulEntry, 2);
    public static readonly StringImplementation Rawmemchr = new(&RawmemchrEntry, 2);
    public static readonly StringImplementation Memchr = new(&MemchrEntry, 3);
    public static readonly StringImplementation Memrchr = new(&MemrchrEntry, 3);
    public static readonly StringImplementation Strstr = new(&StrstrEntry, 2);
    public static readonly StringImplementation Strcasestr = new(&StrcasestrEntry, 2);
    public static readonly StringImplementation Strpbrk = new(&StrpbrkEntry, 2);
    public static readonly StringImplementation Strspn = new(&StrspnEntry, 2);
    public static readonly StringImplementation Strcspn = new(&StrcspnEntry, 2);
    public static readonly StringImplementation Strcmp = new(&StrcmpEntry, 2);
    public static readonly StringImplementation Strncmp = new(&StrncmpEntry, 3);
    public static readonly StringImplementation Strcasecmp = new(&StrcasecmpEntry, 2);
    public static readonly StringImplementation Strncasecmp = new(&StrncasecmpEntry, 3);
    public static readonly StringImplementation Memcmp = new(&MemcmpEntry, 3);
    public static readonly StringImplementation Strcpy = new(&StrcpyEntry, 2);
    public static readonly StringImplementation Stpcpy = new(&StpcpyEntry, 2);
    public static readonly StringImplementation Strncpy = new(&StrncpyEntry, 3);
    public static readonly StringImplementation Stpncpy = new(&StpncpyEntry, 3);
    public static readonly StringImplementation Strcat = new(&StrcatEntry, 2);
    public static readonly StringImplementation Strncat = new(&StrncatEntry, 3);
    public static readonly StringImplementation StrcpyChk = new(&StrcpyChkEntry, 3);
    public static readonly StringImplementation StpcpyChk = new(&StpcpyChkEntry, 3);
    public static readonly StringImplementation Wcscpy = new(&WcscpyEntry, 2);
    public static readonly StringImplementation Memcpy = new(&MemcpyEntry, 3);
    public static readonly StringImplementation Memmove = new(&MemmoveEntry, 3);
    public static readonly StringImplementation Mempcpy = new(&MempcpyEntry, 3);
    public static readonly StringImplementation Bcopy = new(&BcopyEntry, 3);
    public static readonly StringImplementation Memset = new(&MemsetEntry, 3);
    public static readonly StringImplementation MemcpyChk = new(&MemcpyChkEntry, 4);
    public static readonly StringImplementation MemmoveChk = new(&MemmoveChkEntry, 4);
    public static readonly StringImplementation Wcslen = new(&WcslenEntry, 1);
    public static readonly StringImplementation Wcsnlen = new(&WcsnlenEntry, 2);
    public static readonly StringImplementation Wcscmp = new(&WcscmpEntry, 2);
    public static readonly StringImplementation Wcsncmp = new(&WcsncmpEntry, 3);
    public static readonly StringImplementation Wcschr = new(&WcschrEntry, 2);
    public static readonly StringImplementation Wcsrchr = new(&WcsrchrEntry, 2);
    public static readonly StringImplementation Wmemchr = new(&WmemchrEntry, 3);

    [UnmanagedCallersOnly]
    private static ulong StrlenEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Strlen(ref m, a0);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrnlenEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Strnlen(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrchrEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Strchr(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrrchrEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Strrchr(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrchrnulEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Strchrnul(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong RawmemchrEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Rawmemchr(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong MemchrEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Memchr(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong MemrchrEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Memrchr(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrstrEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Strstr(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrcasestrEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Strcasestr(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrpbrkEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Strpbrk(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrspnEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Strspn(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrcspnEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsSearch.Strcspn(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrcmpEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsCompare.Strcmp(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrncmpEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsCompare.Strncmp(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrcasecmpEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsCompare.Strcasecmp(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrncasecmpEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsCompare.Strncasecmp(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong MemcmpEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsCompare.Memcmp(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrcpyEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsStrcpy.Strcpy(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StpcpyEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsStrcpy.Stpcpy(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrncpyEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsStrcpy.Strncpy(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StpncpyEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsStrcpy.Stpncpy(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrcatEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsStrcpy.Strcat(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrncatEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsStrcpy.Strncat(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StrcpyChkEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsStrcpy.StrcpyChk(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong StpcpyChkEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsStrcpy.StpcpyChk(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong WcscpyEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsStrcpy.Wcscpy(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong MemcpyEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsCopy.Memcpy(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong MemmoveEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsCopy.Memmove(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong MempcpyEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsCopy.Mempcpy(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong BcopyEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            StringsCopy.Bcopy(ref m, a0, a1, a2);
            return 0;
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong MemsetEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsCopy.Memset(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong MemcpyChkEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsCopy.MemcpyChk(ref m, a0, a1, a2, a3);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong MemmoveChkEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsCopy.MemmoveChk(ref m, a0, a1, a2, a3);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong WcslenEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsWide.Wcslen(ref m, a0);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong WcsnlenEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsWide.Wcsnlen(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong WcscmpEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsWide.Wcscmp(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong WcsncmpEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsWide.Wcsncmp(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong WcschrEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsWide.Wcschr(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong WcsrchrEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsWide.Wcsrchr(ref m, a0, a1);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    [UnmanagedCallersOnly]
    private static ulong WmemchrEntry(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        StringMemory m = Open(state);
        try
        {
            return StringsWide.Wmemchr(ref m, a0, a1, a2);
        }
        catch (ReplacementStopped)
        {
            return 0;
        }
    }

    /// <summary>The running tool, which implements the checks; a replacement stopped by the host returns 0 to it.</summary>
    private static StringMemory Open(GuestState* state) =>
        new((IStringCheckHost)GCHandle.FromIntPtr(state->ToolHandle).Target!, state);
}
