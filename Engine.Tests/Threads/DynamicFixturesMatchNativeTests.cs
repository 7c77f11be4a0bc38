using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Threads;

/// <summary>
/// Dynamically linked fixtures that start threads, fork, spawn, dlopen, throw and take signals print and
/// exit under <c>memcheck --tool=none</c> exactly as natively, at -O0 and -O2, as PIE and non-PIE.
/// </summary>
[Category("Slow")]
public class DynamicFixturesMatchNativeTests
{
    private sealed record Fixture(string Source, int ExitCode, params string[] Flags)
    {
        public string Name => Path.GetFileNameWithoutExtension(Source);
    }

    private static readonly Fixture[] Fixtures =
    [
        new("c/pthreads_condvar.c", 3, "-pthread"),
        new("cpp/std_thread.cpp", 0, "-pthread"),
        new("cpp/exceptions_iostream.cpp", 0),
        new("c/fork_waitpid.c", 0),
        new("c/system_echo.c", 0),
        new("c/posix_spawn.c", 0),
        new("c/alarm_handler.c", 0),
        new("c/spin_until_alarm.c", 0),
        new("c/spin_until_thread.c", 0, "-pthread"),
        new("c/segv_siglongjmp.c", 0),
        new("c/abort.c", 134),
    ];

    private static readonly string[][] Builds = [["-O0", "-pie"], ["-O2", "-pie"], ["-O0", "-no-pie"], ["-O2", "-no-pie"]];

    private static IEnumerable<TestCaseData> Cases() =>
        from fixture in Fixtures
        from build in Builds
        select new TestCaseData(fixture.Source, fixture.ExitCode, fixture.Flags.Concat(build).ToArray())
            .SetName($"{fixture.Name}{string.Join("", build)}");

    [TestCaseSource(nameof(Cases))]
    public void StdoutAndExitStatusEqualTheNativeRun(string source, int exitCode, string[] flags)
    {
        string program = FixtureCompiler.Compile(source, flags);
        AssertSameAsNative(program, [], exitCode);
    }

    [TestCase("-O0")]
    [TestCase("-O2")]
    public void DlopenedLibraryIsCalledThroughDlsym(string optimisation)
    {
        string library = FixtureCompiler.Compile("c/dlopen_library.c", optimisation, "-shared", "-fPIC");
        string program = FixtureCompiler.Compile("c/dlopen_main.c", optimisation);
        AssertSameAsNative(program, [library], 0);
    }

    [Test]
    public void AbortEndsWithTheFatalSignalReport()
    {
        var engine = EngineRunner.Run(["--tool=none"], FixtureCompiler.Compile("c/abort.c", "-O2"));
        Assert.That(engine.Stderr, Does.Contain("Process terminating with default action of signal 6 (SIGABRT)"), engine.ToString());
    }

    internal static void AssertSameAsNative(string program, string[] args, int expectedExitCode, string? stdin = null)
    {
        var native = NativeRunner.Run(program, args, stdin);
        Assert.That(native.ExitCode, Is.EqualTo(expectedExitCode), $"the program itself misbehaves natively: {native}");

        var engine = EngineRunner.Run(["--tool=none"], program, args, stdin);

        Assert.That(engine.TimedOut, Is.False, engine.ToString());
        Assert.That(engine.Stderr, Does.Not.Contain("Unhandled exception"), "a .NET stack trace reached the user");
        Assert.That(engine.Stdout, Is.EqualTo(native.Stdout), engine.ToString());
        Assert.That(engine.ExitCode, Is.EqualTo(native.ExitCode), engine.ToString());
    }
}
