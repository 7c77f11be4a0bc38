using Memcheck.Engine.Options;

namespace Memcheck.Engine.Tests.Frontend;

public class OutputFileNameTests
{
    private static string? Environment(string name) => name == "USER" ? "alice" : null;

    [TestCase("plain.log", "plain.log")]
    [TestCase("vg.%p.log", "vg.1234.log")]
    [TestCase("vg.%n", "vg.7")]
    [TestCase("100%%", "100%")]
    [TestCase("/tmp/%q{USER}/%p", "/tmp/alice/1234")]
    public void ExpandsValgrindsSpecifiers(string pattern, string expected)
    {
        Assert.That(OutputFileName.Expand(pattern, 1234, 7, Environment), Is.EqualTo(expected));
    }

    [TestCase("a%", "Expected 'p' or 'q' or '%' after '%'")]
    [TestCase("a%x", "Expected 'p' or 'q' or '%' after '%'")]
    [TestCase("a%q", "Expected '{' after '%q'")]
    [TestCase("a%qUSER", "Expected '{' after '%q'")]
    [TestCase("a%q{USER", "Missing '}' in %q specifier")]
    [TestCase("a%q{HOME}", "Environment variable 'HOME' is not set")]
    public void MalformedPatternsAreRefusedWithValgrindsMessage(string pattern, string message)
    {
        Assert.That(() => OutputFileName.Expand(pattern, 1, 1, Environment),
            Throws.InstanceOf<FormatException>().With.Message.EqualTo(message));
    }
}
