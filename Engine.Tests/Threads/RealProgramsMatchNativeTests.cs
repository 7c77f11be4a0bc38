using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Threads;

/// <summary>Programs nobody here wrote print and exit under <c>memcheck --tool=none</c> as they do natively.</summary>
[Category("Slow")]
public class RealProgramsMatchNativeTests
{
    private static string SortInput =>
        string.Concat(Enumerable.Range(0, 20000).Select(i => $"{(i * 7919L) % 20011} line {i}\n"));

    [Test]
    public void LsListsADirectory() =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative("/bin/ls", ["-la", "/usr/include/valgrind"], 0);

    [Test]
    public void SortSorts20000Lines() =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative("/usr/bin/sort", [], 0, SortInput);

    [Test]
    public void GzipCompresses20000Lines() =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative("/usr/bin/gzip", ["-9", "-c"], 0, SortInput);

    [Test]
    public void Sqlite3RunsAScript() =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative("/usr/bin/sqlite3", [":memory:"], 0,
            "create table t(k integer primary key, v text);\n" +
            "with recursive n(i) as (select 1 union all select i + 1 from n where i < 500) insert into t select i, 'v' || i from n;\n" +
            "select count(*), sum(k), max(v) from t where k % 3 = 0;\n");

    [Test]
    public void PerlBuildsAHash() =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative("/usr/bin/perl",
            ["-e", "my %h; $h{$_ % 1000} += $_ for 1..200000; print join(',', map { $h{$_} } sort { $a <=> $b } keys %h), \"\\n\";"], 0);

    [Test]
    public void Python3RoundTripsJson() =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative("/usr/bin/python3",
            ["-c", "import json; d = {str(i): list(range(i % 7)) for i in range(500)}; s = json.dumps(d, sort_keys=True); print(len(s), json.loads(s) == d)"], 0);

    [Test]
    public void Python3CallsALibraryThroughCtypes()
    {
        string library = FixtureCompiler.Compile("c/dlopen_library.c", "-O2", "-shared", "-fPIC");
        DynamicFixturesMatchNativeTests.AssertSameAsNative("/usr/bin/python3",
            ["-c", $"import ctypes; lib = ctypes.CDLL('{library}'); print(lib.scaled_sum(20, 22))"], 0);
    }
}
