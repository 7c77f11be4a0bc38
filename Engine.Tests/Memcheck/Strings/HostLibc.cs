using System.Runtime.InteropServices;

namespace Memcheck.Engine.Tests.MemcheckTool.Strings;

/// <summary>The host's own C library, the reference the replacements' results are compared with.</summary>
internal static unsafe partial class HostLibc
{
    private const string Lib = "libc.so.6";

    [LibraryImport(Lib, EntryPoint = "strlen")] public static partial nuint Strlen(ulong s);
    [LibraryImport(Lib, EntryPoint = "strnlen")] public static partial nuint Strnlen(ulong s, nuint n);
    [LibraryImport(Lib, EntryPoint = "strchr")] public static partial ulong Strchr(ulong s, int c);
    [LibraryImport(Lib, EntryPoint = "strrchr")] public static partial ulong Strrchr(ulong s, int c);
    [LibraryImport(Lib, EntryPoint = "strchrnul")] public static partial ulong Strchrnul(ulong s, int c);
    [LibraryImport(Lib, EntryPoint = "rawmemchr")] public static partial ulong Rawmemchr(ulong s, int c);
    [LibraryImport(Lib, EntryPoint = "memchr")] public static partial ulong Memchr(ulong s, int c, nuint n);
    [LibraryImport(Lib, EntryPoint = "memrchr")] public static partial ulong Memrchr(ulong s, int c, nuint n);
    [LibraryImport(Lib, EntryPoint = "strstr")] public static partial ulong Strstr(ulong h, ulong n);
    [LibraryImport(Lib, EntryPoint = "strcasestr")] public static partial ulong Strcasestr(ulong h, ulong n);
    [LibraryImport(Lib, EntryPoint = "strpbrk")] public static partial ulong Strpbrk(ulong s, ulong accept);
    [LibraryImport(Lib, EntryPoint = "strspn")] public static partial nuint Strspn(ulong s, ulong accept);
    [LibraryImport(Lib, EntryPoint = "strcspn")] public static partial nuint Strcspn(ulong s, ulong reject);
    [LibraryImport(Lib, EntryPoint = "strcmp")] public static partial int Strcmp(ulong a, ulong b);
    [LibraryImport(Lib, EntryPoint = "strncmp")] public static partial int Strncmp(ulong a, ulong b, nuint n);
    [LibraryImport(Lib, EntryPoint = "strcasecmp")] public static partial int Strcasecmp(ulong a, ulong b);
    [LibraryImport(Lib, EntryPoint = "strncasecmp")] public static partial int Strncasecmp(ulong a, ulong b, nuint n);
    [LibraryImport(Lib, EntryPoint = "memcmp")] public static partial int Memcmp(ulong a, ulong b, nuint n);
    [LibraryImport(Lib, EntryPoint = "wcslen")] public static partial nuint Wcslen(ulong s);
    [LibraryImport(Lib, EntryPoint = "wcsnlen")] public static partial nuint Wcsnlen(ulong s, nuint n);
    [LibraryImport(Lib, EntryPoint = "wcscmp")] public static partial int Wcscmp(ulong a, ulong b);
    [LibraryImport(Lib, EntryPoint = "wcsncmp")] public static partial int Wcsncmp(ulong a, ulong b, nuint n);
    [LibraryImport(Lib, EntryPoint = "wcschr")] public static partial ulong Wcschr(ulong s, int c);
    [LibraryImport(Lib, EntryPoint = "wcsrchr")] public static partial ulong Wcsrchr(ulong s, int c);
    [LibraryImport(Lib, EntryPoint = "wmemchr")] public static partial ulong Wmemchr(ulong s, int c, nuint n);

    [LibraryImport(Lib, EntryPoint = "strcpy")] public static partial ulong Strcpy(ulong d, ulong s);
    [LibraryImport(Lib, EntryPoint = "stpcpy")] public static partial ulong Stpcpy(ulong d, ulong s);
    [LibraryImport(Lib, EntryPoint = "strncpy")] public static partial ulong Strncpy(ulong d, ulong s, nuint n);
    [LibraryImport(Lib, EntryPoint = "stpncpy")] public static partial ulong Stpncpy(ulong d, ulong s, nuint n);
    [LibraryImport(Lib, EntryPoint = "strcat")] public static partial ulong Strcat(ulong d, ulong s);
    [LibraryImport(Lib, EntryPoint = "strncat")] public static partial ulong Strncat(ulong d, ulong s, nuint n);
    [LibraryImport(Lib, EntryPoint = "wcscpy")] public static partial ulong Wcscpy(ulong d, ulong s);
    [LibraryImport(Lib, EntryPoint = "memmove")] public static partial ulong Memmove(ulong d, ulong s, nuint n);
    [LibraryImport(Lib, EntryPoint = "memset")] public static partial ulong Memset(ulong d, int c, nuint n);
}
