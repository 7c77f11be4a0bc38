using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Frontend;

/// <summary>--log-file and --log-fd move the commentary away from stderr, as in Valgrind.</summary>
public class LogDestinationTests
{
    [Test]
    public void AnUncreatableLogFileIsRefusedBeforeTheRun()
    {
        var result = EngineRunner.RunRaw("--log-file=/nonexistent/dir/log", "/bin/true");
        Assert.That(result.Stderr, Is.EqualTo("memcheck: Cannot create log file '/nonexistent/dir/log': No such file or directory\n"));
        Assert.That(result.ExitCode, Is.EqualTo(1));
    }

    [Test, Category("Slow")]
    public void LogFileWithPidReceivesTheCommentaryInsteadOfStderr()
    {
        string program = FixtureCompiler.Compile("c/hello.c", "-O2", "-static");
        string directory = Directory.CreateTempSubdirectory("memcheck-log").FullName;
        try
        {
            var result = EngineRunner.Run(["--tool=none", $"--log-file={directory}/log.%p"], program);

            Assert.That(result.Stdout, Is.EqualTo("Hello, world!\n"), result.ToString());
            Assert.That(result.Stderr, Is.Empty);
            string log = Directory.GetFiles(directory).Single();
            Assert.That(Path.GetFileName(log), Does.Match(@"^log\.\d+$"));
            Assert.That(File.ReadAllText(log), Does.Contain($"Command: "));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test, Category("Slow")]
    public void LogFdOneSendsTheCommentaryToStdout()
    {
        string program = FixtureCompiler.Compile("c/hello.c", "-O2", "-static");
        var result = EngineRunner.Run(["--tool=none", "--log-fd=1"], program);
        Assert.That(result.Stdout, Does.Contain("Hello, world!\n").And.Contain("Command: "), result.ToString());
        Assert.That(result.Stderr, Is.Empty);
    }
}
