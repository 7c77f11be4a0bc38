using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Core;

/// <summary>Guest code rewritten through mprotect or munmap+mmap runs as rewritten, never a stale translation.</summary>
[Category("Slow")]
public class TranslationInvalidationTests
{
    [TestCase("jit"), TestCase("interpreter")]
    public void RewrittenCodeRunsTheNewInstructions(string backend)
    {
        string program = FixtureCompiler.Compile("c/code_rewrite.c", "-O2", "-static");
        var run = EngineRunner.Run(["--tool=none", $"--backend={backend}"], program);
        Assert.That(run.Stdout, Is.EqualTo("1\n2\n3\n"), run.ToString());
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
    }
}
