using Memcheck.Engine.Tests.MemcheckTool.EndToEnd;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.MemcheckTool.Definedness;

/// <summary>
/// No false positives: real programs that Valgrind 3.19 runs without errors (checked on this machine) report none under
/// memcheck either, with definedness checked, and print what they print natively.
/// </summary>
[Category("Slow")]
public class RealProgramTests
{
    private const string PerlHashes = "my %h; for my $i (1..20000) { $h{\"k$i\"} = $i*2 } my $s=0; $s += $h{$_} for keys %h; print \"$s\\n\";";
    private const string PythonJson = "import json; d={str(i):[i,i*2,{'k':'v'*i}] for i in range(300)}; s=json.dumps(d); print(len(s), len(json.loads(s)))";

    private const string PythonCtypes = "import ctypes; libc=ctypes.CDLL('libc.so.6'); b=ctypes.create_string_buffer(64); libc.snprintf(b, 64, b'%d-%s', 42, b'ok'); print(b.value, libc.strlen(b))";

    private static IEnumerable<TestCaseData> Programs()
    {
        yield return new TestCaseData("/bin/ls", new[] { "-la", "/usr/include/valgrind" }).SetName("Ls");
        yield return new TestCaseData("/usr/bin/sort", new[] { Lines() }).SetName("SortOf20000Lines");
        yield return new TestCaseData("/bin/gzip", new[] { "-9", "-c", Lines() }).SetName("Gzip");
        yield return new TestCaseData("/usr/bin/sqlite3", new[] { ":memory:", "create table t(a,b); insert into t values(1,'x'),(2,'y'); select * from t order by a desc;" }).SetName("Sqlite3");
        yield return new TestCaseData("/usr/bin/perl", new[] { "-e", PerlHashes }).SetName("PerlHashes");
        yield return new TestCaseData("/usr/bin/python3", new[] { "-c", PythonJson }).SetName("Python3Json");
        yield return new TestCaseData("/usr/bin/python3", new[] { "-c", PythonCtypes }).SetName("Python3Ctypes");
    }

    [TestCaseSource(nameof(Programs))]
    public void ReportsNoErrorsWhereValgrindReportsNone(string program, string[] args)
    {
        var native = NativeRunner.Run(program, args);
        var result = EngineRunner.Run([], program, args, timeout: TimeSpan.FromMinutes(5));
        var lines = MemcheckRunner.Commentary(result);
        Assert.That(lines, Has.Member("ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)"), result.Stderr);
        Assert.That(result.Stdout, Is.EqualTo(native.Stdout));
    }

    /// <summary>A 20,000-line file, not in order.</summary>
    private static string Lines()
    {
        string path = Path.Combine(Path.GetTempPath(), "memcheck-definedness-lines.txt");
        if (!File.Exists(path))
            File.WriteAllLines(path, Enumerable.Range(1, 20_000).Select(i => $"{i * 7919 % 20011} line {i}"));
        return path;
    }
}
