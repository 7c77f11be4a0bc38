using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Frontend;

/// <summary>The runners and the fixture compiler that every end-to-end test trusts.</summary>
public class TestSupportTests
{
    [Test]
    public void NativeRunnerFeedsStdinAndCapturesBothStreams()
    {
        var result = NativeRunner.Run("/bin/sh", ["-c", "cat; echo oops >&2; exit 4"], stdin: "abc\n");
        Assert.That(result.Stdout, Is.EqualTo("abc\n"));
        Assert.That(result.Stderr, Is.EqualTo("oops\n"));
        Assert.That(result.ExitCode, Is.EqualTo(4));
        Assert.That(result.TimedOut, Is.False);
    }

    [Test]
    public void NativeRunnerReportsAFatalSignalAs128PlusItsNumber()
    {
        Assert.That(NativeRunner.Run("/bin/sh", ["-c", "kill -SEGV $$"]).ExitCode, Is.EqualTo(139));
    }

    [Test]
    public void NativeRunnerKillsAProgramThatOutlivesItsTimeout()
    {
        var result = NativeRunner.Run("/bin/sleep", ["30"], timeout: TimeSpan.FromMilliseconds(300));
        Assert.That(result.TimedOut, Is.True);
    }

    [Test]
    public void ANonExecutableFileIsRefusedWithPermissionDenied()
    {
        string file = Path.GetTempFileName();
        try
        {
            var result = EngineRunner.RunRaw(file);
            Assert.That(result.Stderr, Is.EqualTo($"memcheck: {file}: Permission denied\n"));
            Assert.That(result.ExitCode, Is.EqualTo(1));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test, Category("Slow")]
    public void FixtureCompilerCachesByFlagsAndSource()
    {
        string first = FixtureCompiler.Compile("c/hello.c", "-O0", "-static");
        var builtAt = File.GetLastWriteTimeUtc(first);
        string again = FixtureCompiler.Compile("c/hello.c", "-O0", "-static");
        string otherFlags = FixtureCompiler.Compile("c/hello.c", "-O2", "-static");

        Assert.That(again, Is.EqualTo(first));
        Assert.That(File.GetLastWriteTimeUtc(again), Is.EqualTo(builtAt), "the cached binary was rebuilt");
        Assert.That(otherFlags, Is.Not.EqualTo(first));
        Assert.That(first, Does.StartWith(FixtureCompiler.CacheDirectory));
        Assert.That(NativeRunner.Run(otherFlags).Stdout, Is.EqualTo("Hello, world!\n"));
    }

    [Test, Category("Slow")]
    public void FixtureCompilerShowsTheCompilersComplaint()
    {
        string source = Path.Combine(Path.GetTempPath(), $"broken-{Guid.NewGuid():N}.c");
        File.WriteAllText(source, "int main(void) { return undeclared; }\n");
        try
        {
            Assert.That(() => FixtureCompiler.Compile(source, "-O0"),
                Throws.InvalidOperationException.With.Message.Contains("undeclared"));
        }
        finally
        {
            File.Delete(source);
        }
    }
}
