using Memcheck.Engine.Options;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.Frontend;

/// <summary>The memcheck executable itself: what users see when the command line is wrong, or asks for help.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class MemcheckCommandTests
{
    [Test]
    public void AMissingProgramIsOneLineAndStatusOne()
    {
        var result = EngineRunner.RunRaw("/nonexistent/program");
        Assert.That(result.Stderr, Is.EqualTo("memcheck: /nonexistent/program: No such file or directory\n"));
        Assert.That(result.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void AProgramNotInPathIsACommandNotFound()
    {
        var result = EngineRunner.RunRaw("memcheck-no-such-command");
        Assert.That(result.Stderr, Is.EqualTo("memcheck: memcheck-no-such-command: command not found\n"));
        Assert.That(result.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void ADirectoryIsNotAProgram()
    {
        var result = EngineRunner.RunRaw("/tmp");
        Assert.That(result.Stderr, Is.EqualTo("memcheck: /tmp: is a directory\n"));
        Assert.That(result.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void AnExecutableThatIsNotElfIsOneLineAndStatusOne()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not a program\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var result = EngineRunner.RunRaw(file);
            Assert.That(result.Stderr, Does.Match($"^memcheck: {System.Text.RegularExpressions.Regex.Escape(file)}: [^\n]+\n$"));
            Assert.That(result.Stderr, Does.Not.Contain("internal error"));
            Assert.That(result.ExitCode, Is.EqualTo(1));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void AnUnknownOptionPrintsValgrindsMessageAndStatusOne()
    {
        var result = EngineRunner.RunRaw("--foo", "true");
        Assert.That(result.Stderr, Is.EqualTo(
            "memcheck: Unknown option: --foo\nmemcheck: Use --help for more information or consult the user manual.\n"));
        Assert.That(result.Stdout, Is.Empty);
        Assert.That(result.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void ABadValuePrintsValgrindsThreeLines()
    {
        var result = EngineRunner.RunRaw("--num-callers=x", "true");
        Assert.That(result.Stderr, Is.EqualTo(
            "memcheck: Bad option: --num-callers=x\nmemcheck: Invalid integer value 'x'\n" +
            "memcheck: Use --help for more information or consult the user manual.\n"));
        Assert.That(result.ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void VersionPrintsTheEngineVersionLine()
    {
        var result = EngineRunner.RunRaw("--version");
        Assert.That(result.Stdout, Does.Match(@"^memcheck-\d+\.\d+\.\d+\n$"));
        Assert.That(result.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void HelpListsTheChosenToolsOptions()
    {
        var result = EngineRunner.RunRaw("--tool=massif", "--help");
        Assert.That(result.Stdout, Does.StartWith("usage: memcheck [options] prog-and-args"));
        Assert.That(result.Stdout, Does.Contain("--massif-out-file=<file>"));
        Assert.That(result.Stdout, Does.Not.Contain("--leak-check="));
        Assert.That(result.ExitCode, Is.EqualTo(0));
    }

    [Test]
    public void EveryOptionTheParserAcceptsIsInTheMemcheckOrMassifDebugHelp()
    {
        string help = UsageText.For(ToolKind.Memcheck, debug: true) + UsageText.For(ToolKind.Massif, debug: true);
        var undocumented = OptionTable.Options.Keys.Where(name => !help.Contains(name + "=")).ToList();
        Assert.That(undocumented, Is.Empty);
    }
}
