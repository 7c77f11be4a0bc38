using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Frontend;

/// <summary>End to end: under <c>memcheck --tool=none</c> a program prints and exits exactly as it does natively.</summary>
[Category("Slow")]
public class ToolNoneMatchesNativeTests
{
    private static IEnumerable<TestCaseData> StaticFixtures() =>
        from fixture in GuestFixtures.StaticC
        from optimisation in GuestFixtures.Optimisations
        select new TestCaseData(fixture, optimisation).SetName($"{fixture.Name}{optimisation}_static");

    [TestCaseSource(nameof(StaticFixtures))]
    public void StdoutAndExitStatusEqualTheNativeRun(GuestFixture fixture, string optimisation)
    {
        string program = FixtureCompiler.Compile(fixture.Source, optimisation, "-static");
        var native = NativeRunner.Run(program);
        Assert.That(native.ExitCode, Is.EqualTo(fixture.ExpectedExitCode), $"the fixture itself misbehaves natively: {native}");

        var engine = EngineRunner.Run(["--tool=none"], program);

        Assert.That(engine.TimedOut, Is.False, engine.ToString());
        Assert.That(engine.Stderr, Does.Not.Contain("Unhandled exception"), "a .NET stack trace reached the user");
        Assert.That(engine.Stdout, Is.EqualTo(native.Stdout), engine.ToString());
        Assert.That(engine.ExitCode, Is.EqualTo(native.ExitCode), engine.ToString());
    }
}
