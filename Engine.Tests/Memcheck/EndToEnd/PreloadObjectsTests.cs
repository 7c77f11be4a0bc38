using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.MemcheckTool.EndToEnd;

/// <summary>
/// A program sees Valgrind's launcher as under valgrind 3.19 (output recorded from it): LD_PRELOAD names the preload
/// objects, they are in its link map, and a program it execs gets LD_PRELOAD without them.
/// </summary>
[Category("Slow")]
public class PreloadObjectsTests
{
    private const string Core = "/usr/libexec/valgrind/vgpreload_core-amd64-linux.so";
    private const string Memcheck = "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so";

    private static string[] Run(Dictionary<string, string> environment)
    {
        string program = FixtureCompiler.Compile("c/preload_objects.c", "-O0");
        environment["PATH"] = "/usr/bin:/bin";
        var result = NativeRunner.Run(EngineRunner.Executable, ["-q", program], environment: environment, inheritEnvironment: false);
        Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Test]
    public void TheGuestSeesThePreloadObjectsAndItsExecdProgramDoesNot() =>
        Assert.That(Run([]), Is.EqualTo(new[]
        {
            $"started LD_PRELOAD={Core}:{Memcheck}",
            $"object {Core}", $"object {Memcheck}", "object /lib/x86_64-linux-gnu/libc.so.6", "object /lib64/ld-linux-x86-64.so.2",
            "exec'd LD_PRELOAD=",
        }));

    [Test]
    public void TheUsersOwnPreloadComesAfterThemAndStaysThroughExec()
    {
        const string libm = "/lib/x86_64-linux-gnu/libm.so.6";
        Assert.That(Run(new() { ["LD_PRELOAD"] = libm }), Is.EqualTo(new[]
        {
            $"started LD_PRELOAD={Core}:{Memcheck}:{libm}",
            $"object {Core}", $"object {Memcheck}", $"object {libm}", "object /lib/x86_64-linux-gnu/libc.so.6",
            "object /lib64/ld-linux-x86-64.so.2",
            $"exec'd LD_PRELOAD={libm}",
        }));
    }
}
