using Memcheck.Engine.Tests.MemcheckTool.EndToEnd;
using Memcheck.Engine.Tests.Support;
using Memcheck.Engine.Tests.Threads;

namespace Memcheck.Engine.Tests.Cpu.Avx;

/// <summary>
/// C fixtures built for the guest's CPU (-mavx2 -mfma -mbmi2 and kin, -O2 and -O3, -march=haswell for gathers):
/// vectorised loops, intrinsics of every extension the CPU reports, libm's FMA paths, YMM state across a signal
/// handler. Under the engine they print what they print natively, and memcheck finds no errors in them.
/// </summary>
[Category("Slow")]
public class AvxFixturesMatchNativeTests
{
    private static readonly string[] Extensions = ["-mavx2", "-mfma", "-mbmi", "-mbmi2", "-mlzcnt", "-mf16c", "-maes", "-mpclmul", "-mrdrnd", "-mrdseed", "-mxsave", "-mmovbe"];

    private static readonly string[][] Builds = [["-O2", .. Extensions], ["-O3", .. Extensions], ["-O3", "-march=haswell"]];

    private static readonly string[] Fixtures = ["avx/vector_loops.c", "avx/intrinsics.c", "avx/libm_paths.c", "avx/signal_ymm.c"];

    private static IEnumerable<TestCaseData> Cases() =>
        from fixture in Fixtures
        from build in Builds
        where !(fixture == "avx/intrinsics.c" && build.Contains("-march=haswell"))
        select new TestCaseData(fixture, build).SetName($"{Path.GetFileNameWithoutExtension(fixture)}{string.Join("", build.Take(2))}");

    [TestCaseSource(nameof(Cases))]
    public void Prints_what_it_prints_natively(string fixture, string[] build) =>
        DynamicFixturesMatchNativeTests.AssertSameAsNative(FixtureCompiler.Compile(fixture, build), [], 0);

    [TestCaseSource(nameof(Cases))]
    public void Memcheck_reports_no_errors(string fixture, string[] build)
    {
        string program = FixtureCompiler.Compile(fixture, build);
        var native = NativeRunner.Run(program, []);
        var result = EngineRunner.Run([], program, [], timeout: TimeSpan.FromMinutes(5));
        Assert.That(MemcheckRunner.Commentary(result), Has.Member("ERROR SUMMARY: 0 errors from 0 contexts (suppressed: 0 from 0)"), result.Stderr);
        Assert.That(result.Stdout, Is.EqualTo(native.Stdout));
    }

    /// <summary>The guest's cpuid and xgetbv answer what a program sees under Valgrind 3.19 here, leaf for leaf.</summary>
    [Test]
    public void Cpuid_answers_as_under_valgrind()
    {
        string expected = File.ReadAllText(Path.Combine(FixtureCompiler.FixturesDirectory, "avx/cpuid_leaves.valgrind.txt"));
        var result = EngineRunner.Run(["--tool=none", "-q"], FixtureCompiler.Compile("avx/cpuid_leaves.c", "-O1"), []);
        Assert.That(result.Stdout, Is.EqualTo(expected), result.Stderr);
    }
}
