using Memcheck.Engine.Options;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Core;

/// <summary>--backend picks compiled code or the reference interpreter, and both run a program alike.</summary>
public class BackendSelectionTests
{
    private static SessionOptions Parse(params string[] args) =>
        ((CommandLineRequest.Run)CommandLine.Parse(args)).Options;

    [Test]
    public void CompiledCodeIsTheDefault() => Assert.That(Parse("prog").Backend, Is.EqualTo(ExecutionBackend.Jit));

    [Test]
    public void InterpreterIsSelectable() =>
        Assert.That(Parse("--backend=interpreter", "prog").Backend, Is.EqualTo(ExecutionBackend.Interpreter));

    [Test]
    public void UnknownBackendIsRefused() =>
        Assert.Throws<CommandLineException>(() => CommandLine.Parse(["--backend=llvm", "prog"]));

    [Test, Category("Slow")]
    public void InterpreterRunsAProgramAsTheHostDoes()
    {
        string program = FixtureCompiler.Compile("c/qsort.c", "-O2", "-static");
        var native = NativeRunner.Run(program);
        var interpreted = EngineRunner.Run(["--tool=none", "--backend=interpreter"], program);
        Assert.That(interpreted.Stdout, Is.EqualTo(native.Stdout), interpreted.ToString());
        Assert.That(interpreted.ExitCode, Is.EqualTo(native.ExitCode), interpreted.ToString());
    }
}
