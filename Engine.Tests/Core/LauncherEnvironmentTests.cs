using Memcheck.Engine.Core;
using Memcheck.Engine.Os;
using Memcheck.Engine.Tools.None;

namespace Memcheck.Engine.Tests.Core;

/// <summary>
/// The guest's environment is the one valgrind 3.19's launcher gives its client on this Debian machine (checked
/// with a program printing environ): the wrapper script's variables, PWD, and the preload objects first in LD_PRELOAD.
/// </summary>
public class LauncherEnvironmentTests
{
    private const string Core = "/usr/libexec/valgrind/vgpreload_core-amd64-linux.so";
    private const string Memcheck = "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so";
    private static readonly PreloadObjects MemcheckPreloads = new([Core, Memcheck]);
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("launcher-env").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    private List<string> For(params string[] inherited) => LauncherEnvironment.ForClient(inherited, MemcheckPreloads, _directory);

    private static string? Value(List<string> environment, string name) =>
        environment.SingleOrDefault(e => e.StartsWith(name + "="))?[(name.Length + 1)..];

    [Test]
    public void AddsTheWrappersVariablesPwdAndThePreloadObjects() =>
        Assert.That(For("A=1"), Is.EqualTo(new[]
        {
            "A=1", "LD_LIBRARY_PATH=/usr/lib/debug", "GLIBCPP_FORCE_NEW=1", "GLIBCXX_FORCE_NEW=1", $"PWD={_directory}",
            $"LD_PRELOAD={Core}:{Memcheck}",
        }));

    [TestCase("LD_LIBRARY_PATH=/opt", "/opt:/usr/lib/debug")]
    [TestCase("LD_LIBRARY_PATH=", "/usr/lib/debug")]
    public void TheDebugDirectoryComesAfterAnInheritedLibraryPath(string inherited, string expected) =>
        Assert.That(Value(For(inherited), "LD_LIBRARY_PATH"), Is.EqualTo(expected));

    [TestCase("LD_PRELOAD=/x.so", Core + ":" + Memcheck + ":/x.so")]
    [TestCase("LD_PRELOAD=", Core + ":" + Memcheck + ":")]
    public void ThePreloadObjectsComeBeforeTheUsersOwn(string inherited, string expected) =>
        Assert.That(Value(For(inherited), "LD_PRELOAD"), Is.EqualTo(expected));

    [Test]
    public void AnInheritedPwdStaysOnlyWhereItNamesTheWorkingDirectory()
    {
        string link = _directory + "-link";
        File.CreateSymbolicLink(link, _directory);
        try
        {
            Assert.That(Value(For("PWD=" + link), "PWD"), Is.EqualTo(link));
            Assert.That(Value(For("PWD=/"), "PWD"), Is.EqualTo(_directory));
        }
        finally
        {
            File.Delete(link);
        }
    }

    [Test]
    public void TheNoneToolPreloadsTheCoreObjectAlone() =>
        Assert.That(LauncherEnvironment.PreloadsOf(new NoneTool()).Paths, Is.EqualTo(new[] { Core }));

    [TestCase(Core + ":" + Memcheck, "")]
    [TestCase(Core + ":" + Memcheck + ":", "")]
    [TestCase(Core + ":" + Memcheck + ":/x.so", "/x.so")]
    public void AnExecdProgramsLdPreloadLosesThePreloadObjects(string value, string expected) =>
        Assert.That(MemcheckPreloads.Strip(value), Is.EqualTo(expected));
}
