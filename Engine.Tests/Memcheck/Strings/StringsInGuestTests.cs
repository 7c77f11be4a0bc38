using Memcheck.Engine.Core;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.MemcheckTool.Strings;

/// <summary>
/// The table redirecting a real dynamically linked program's libc calls (through the PLT and IFUNC resolvers), on
/// both backends: the program's results are unchanged, the one overlapping __memcpy_chk is reported with its
/// arguments at the replacement's frame, and the start-up code of ld.so and libc raises nothing.
/// </summary>
[TestFixture, Category("Slow"), NonParallelizable]
public sealed unsafe class StringsInGuestTests
{
    private const string Source = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        int main(int argc, char **argv) {
            freopen(argv[1], "w", stdout);
            char buf[64] = "hello world", out[64];
            printf("buf %p\n", (void *)buf);
            printf("strlen %zu\n", strlen(buf));
            size_t volatile eight = 8;
            __builtin___memcpy_chk(buf + 4, buf, eight, sizeof buf);
            printf("memcpy %s\n", buf);
            strcpy(out, "abc");
            strcat(out, "def");
            printf("strcat %s %d %s\n", out, strcmp(out, "abcdef") == 0, strchr(out, 'd'));
            printf("memcmp %d\n", memcmp(out, "abcdeg", 6) < 0);
            return 0;
        }
        """;

    private static readonly string[] Backends = ["jit", "interpreter"];
    private static readonly Dictionary<string, (GuestEnd End, StringsTestTool Tool, string[] Output, string Log)> Runs = [];

    private static (GuestEnd End, StringsTestTool Tool, string[] Output, string Log) Run(string backend)
    {
        if (Runs.TryGetValue(backend, out var cached)) return cached;
        string source = Path.Combine(Path.GetTempPath(), "memcheck-strings-in-guest.c");
        File.WriteAllText(source, Source);
        string program = FixtureCompiler.Compile(source, "-O0", "-g", "-fno-builtin");
        string output = Path.Combine(Path.GetTempPath(), $"strings-{Guid.NewGuid():N}.txt");
        var tool = new StringsTestTool();
        var log = new StringWriter();
        GuestEnd end;
        using (var machine = new GuestMachine(program, [program, output], ["LC_ALL=C"], tool, new Commentary(log, Environment.ProcessId), log,
                   context => backend == "jit" ? new JitBackend(context) : new InterpreterBackend(context.AccessCheck)))
            end = machine.DispatcherFor(machine.MainThread, new GuestLock()).Run();
        string[] lines = File.Exists(output) ? File.ReadAllLines(output) : [];
        File.Delete(output);
        return Runs[backend] = (end, tool, lines, log.ToString());
    }

    [TestCaseSource(nameof(Backends))]
    public void ProgramResultsAreLibcs(string backend)
    {
        var run = Run(backend);
        Assert.That(run.End, Is.EqualTo(new GuestEnd.Exited(0)), run.Log);
        Assert.That(run.Output.Skip(1), Is.EqualTo(new[] { "strlen 11", "memcpy hellhello wo", "strcat abcdef 1 def", "memcmp 1" }));
    }

    [TestCaseSource(nameof(Backends))]
    public void TheOverlappingMemcpyChkIsTheOnlyReport(string backend)
    {
        var run = Run(backend);
        ulong buf = Convert.ToUInt64(run.Output[0].Split(' ')[1], 16);
        Assert.That(run.Tool.Reports.Select(r => r.Text),
            Is.EqualTo(new[] { $"Source and destination overlap in memcpy_chk(0x{buf + 4:x}, 0x{buf:x}, 8)" }), run.Log);
        var frames = run.Tool.Reports[0].Stack.Frames;
        Assert.That(frames[0].Function, Is.EqualTo("__memcpy_chk"));
        Assert.That(frames[0].Object, Is.EqualTo("/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"));
        Assert.That(frames[1].Function, Is.EqualTo("main"));
    }
}
