using Memcheck.Engine.Core;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Tools.Memcheck.Replacements.StringImplementations;

namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>
/// One redirected function: the objects it applies to (a Valgrind soname pattern), the ELF symbol, the body, and the
/// name a stack shows for it (the replacement's own name in vgpreload_memcheck-amd64-linux.so; the symbol unless
/// Valgrind's replacement carries a symbol version).
/// </summary>
public sealed record StringReplacement(string SonamePattern, string Symbol, StringImplementation Implementation, string? FrameName = null)
{
    public string Name => FrameName ?? Symbol;
}

/// <summary>
/// The string and memory functions memcheck replaces, as Valgrind 3.19's memcheck preload lists them for amd64
/// Linux (seen with --trace-redir=yes): the public names, glibc's internal __GI_ aliases and the IFUNC variants
/// it names (a call resolved to __strlen_sse2 shows "__strlen_sse2"), and the few ld.so has. Functions not listed
/// (__memset_chk, __strcat_chk, __strncpy_chk, __mempcpy_chk, memmem, wmemcmp, ...) run glibc's own code, as
/// under Valgrind. memcpy@GLIBC_2.2.5 (which Valgrind treats as memmove) is not separable here: replacements match
/// unversioned names.
/// Valgrind runs an IFUNC's resolver and redirects the variant it picks; when two IFUNCs pick one variant, the
/// replacement of higher priority stays there (memmove's, over memcpy's). On the CPU the guest sees, memcpy and
/// memmove both resolve to __memmove_avx_unaligned_erms (alias __memcpy_avx_unaligned_erms), so a call to memcpy runs
/// Valgrind's memmove: no overlap check, and "memmove" in stacks. The memcpy entries say so.
/// </summary>
public static class StringsTable
{
    private const string Libc = "libc.so*";
    private const string LdSo = "ld-linux-x86-64.so.2";
    private const string MainExecutable = "NONE";

    public static readonly IReadOnlyList<StringReplacement> Entries =
    [
        new(Libc, "strrchr", Strrchr), new(Libc, "rindex", Strrchr), new(Libc, "__GI_strrchr", Strrchr),
        new(Libc, "__strrchr_sse2", Strrchr), new(Libc, "__strrchr_sse2_no_bsf", Strrchr), new(Libc, "__strrchr_sse42", Strrchr),

        new(Libc, "strchr", Strchr), new(Libc, "__GI_strchr", Strchr), new(Libc, "__strchr_sse2", Strchr),
        new(Libc, "__strchr_sse2_no_bsf", Strchr), new(Libc, "index", Strchr), new(LdSo, "index", Strchr),

        new(Libc, "strcat", Strcat), new(Libc, "__GI_strcat", Strcat),
        new(Libc, "strncat", Strncat),

        new(Libc, "strnlen", Strnlen), new(Libc, "__GI_strnlen", Strnlen),
        new(Libc, "strlen", Strlen), new(Libc, "__GI_strlen", Strlen), new(Libc, "__strlen_sse2", Strlen),
        new(Libc, "__strlen_sse2_no_bsf", Strlen), new(Libc, "__strlen_sse42", Strlen), new(LdSo, "strlen", Strlen),

        new(Libc, "strcpy", Strcpy), new(Libc, "__GI_strcpy", Strcpy),
        new(Libc, "strncpy", Strncpy), new(Libc, "__GI_strncpy", Strncpy), new(Libc, "__strncpy_sse2", Strncpy),
        new(Libc, "__strncpy_sse2_unaligned", Strncpy),

        new(Libc, "strncmp", Strncmp), new(Libc, "__GI_strncmp", Strncmp), new(Libc, "__strncmp_sse2", Strncmp),
        new(Libc, "__strncmp_sse42", Strncmp),

        new(Libc, "strcasecmp", Strcasecmp), new(Libc, "__GI_strcasecmp", Strcasecmp),
        new(Libc, "strncasecmp", Strncasecmp), new(Libc, "__GI_strncasecmp", Strncasecmp),
        new(Libc, "strcasecmp_l", Strcasecmp), new(Libc, "__GI_strcasecmp_l", Strcasecmp), new(Libc, "__GI___strcasecmp_l", Strcasecmp),
        new(Libc, "strncasecmp_l", Strncasecmp), new(Libc, "__GI_strncasecmp_l", Strncasecmp),
        new(Libc, "__GI___strncasecmp_l", Strncasecmp),

        new(Libc, "strcmp", Strcmp), new(Libc, "__GI_strcmp", Strcmp), new(Libc, "__strcmp_sse2", Strcmp),
        new(Libc, "__strcmp_sse42", Strcmp), new(LdSo, "strcmp", Strcmp),

        new(Libc, "memchr", Memchr), new(Libc, "__GI_memchr", Memchr),
        new(Libc, "memrchr", Memrchr),

        new(Libc, "memcpy", Memmove, "memmove"), new(Libc, "__GI_memcpy", Memcpy), new(Libc, "__memcpy_sse2", Memcpy),
        new(Libc, "__memcpy_avx_unaligned_erms", Memmove, "memmove"), new(MainExecutable, "_intel_fast_memcpy", Memcpy),

        new(Libc, "memcmp", Memcmp), new(Libc, "__GI_memcmp", Memcmp), new(Libc, "__memcmp_sse2", Memcmp),
        new(Libc, "__memcmp_sse4_1", Memcmp), new(Libc, "bcmp", Memcmp),

        new(Libc, "stpcpy", Stpcpy), new(Libc, "__GI_stpcpy", Stpcpy), new(Libc, "__stpcpy_sse2", Stpcpy),
        new(Libc, "__stpcpy_sse2_unaligned", Stpcpy), new(LdSo, "stpcpy", Stpcpy),
        new(Libc, "stpncpy", Stpncpy),

        new(Libc, "memset", Memset),
        new(Libc, "memmove", Memmove), new(Libc, "__GI_memmove", Memmove),
        new(Libc, "bcopy", Bcopy),
        new(Libc, "__memmove_chk", MemmoveChk),
        new(Libc, "strchrnul", Strchrnul),
        new(Libc, "rawmemchr", Rawmemchr), new(Libc, "__GI___rawmemchr", Rawmemchr),
        new(Libc, "__strcpy_chk", StrcpyChk),
        new(Libc, "__stpcpy_chk", StpcpyChk),
        new(Libc, "mempcpy", Mempcpy), new(Libc, "__GI_mempcpy", Mempcpy), new(LdSo, "mempcpy", Mempcpy),
        new(Libc, "__memcpy_chk", MemcpyChk),

        new(Libc, "strstr", Strstr), new(Libc, "__strstr_sse2", Strstr), new(Libc, "__strstr_sse42", Strstr),
        new(Libc, "strpbrk", Strpbrk),
        new(Libc, "strcspn", Strcspn), new(Libc, "__GI_strcspn", Strcspn),
        new(Libc, "strspn", Strspn),
        new(Libc, "strcasestr", Strcasestr),

        new(Libc, "wcslen", Wcslen),
        new(Libc, "wcsnlen", Wcsnlen), new(Libc, "__GI_wcsnlen", Wcsnlen),
        new(Libc, "wcscmp", Wcscmp),
        new(Libc, "wcsncmp", Wcsncmp),
        new(Libc, "wcscpy", Wcscpy),
        new(Libc, "wcschr", Wcschr),
        new(Libc, "wcsrchr", Wcsrchr),
        new(Libc, "wmemchr", Wmemchr), new(Libc, "__GI_wmemchr", Wmemchr),
    ];

    /// <summary>The table as core function replacements; each helper is named as its frame shows.</summary>
    public static unsafe IReadOnlyList<FunctionReplacement> Replacements() =>
        [.. Entries.Select(e => new FunctionReplacement(e.SonamePattern, e.Symbol,
            new IrHelper(e.Name, e.Implementation.Function, e.Implementation.ArgCount, isPure: false), e.FrameName))];
}
