namespace Memcheck.Engine.Tests.Support;

/// <summary>A C/C++ fixture and the exit status its native run ends with.</summary>
public sealed record GuestFixture(string Source, int ExpectedExitCode)
{
    public string Name => Path.GetFileNameWithoutExtension(Source);
}

/// <summary>The fixtures every engine configuration must run exactly like the host does.</summary>
public static class GuestFixtures
{
    public static readonly IReadOnlyList<GuestFixture> StaticC =
    [
        new("c/hello.c", 0),
        new("c/recursion.c", 0),
        new("c/printf_numbers.c", 0),
        new("c/qsort.c", 0),
        new("c/setjmp.c", 0),
        new("c/strtod.c", 0),
        new("c/strings.c", 0),
        new("c/malloc_churn.c", 0),
        new("c/divide_by_zero.c", 128 + 8),  // SIGFPE
        new("c/wild_write.c", 128 + 11),     // SIGSEGV
        new("c/exit_code.c", 3),
    ];

    public static readonly IReadOnlyList<string> Optimisations = ["-O0", "-O2"];
}
