using Memcheck.Engine.Options;

namespace Memcheck.Engine.Tests.Core;

/// <summary>--run-libc-freeres and --run-cxx-freeres are Valgrind's core options: yes by default, each turned off alone.</summary>
public class FreeresOptionTests
{
    private static SessionOptions Parse(params string[] args) => ((CommandLineRequest.Run)CommandLine.Parse(args)).Options;

    [Test]
    public void BothCleanupsRunByDefault() =>
        Assert.That((Parse("prog").RunLibcFreeres, Parse("prog").RunCxxFreeres), Is.EqualTo((true, true)));

    [Test]
    public void LibcFreeresCanBeTurnedOffAlone()
    {
        var options = Parse("--run-libc-freeres=no", "prog");
        Assert.That((options.RunLibcFreeres, options.RunCxxFreeres), Is.EqualTo((false, true)));
    }

    [Test]
    public void CxxFreeresCanBeTurnedOffAlone()
    {
        var options = Parse("--tool=none", "--run-cxx-freeres=no", "prog");
        Assert.That((options.RunLibcFreeres, options.RunCxxFreeres), Is.EqualTo((true, false)));
    }
}
