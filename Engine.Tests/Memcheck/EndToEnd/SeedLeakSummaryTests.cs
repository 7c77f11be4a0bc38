namespace Memcheck.Engine.Tests.MemcheckTool.EndToEnd;

/// <summary>The seed document's three C leak cases give Valgrind 3.19's LEAK SUMMARY lines, on both backends.</summary>
[Category("Slow")]
[TestFixture("jit")]
[TestFixture("interpreter")]
public class SeedLeakSummaryTests(string backend)
{
    [TestCase("seeds/definitely_and_reachable.c", "60 bytes in 2 blocks", "0 bytes in 0 blocks", "0 bytes in 0 blocks", "100 bytes in 1 blocks")]
    [TestCase("seeds/indirectly_lost.c", "16 bytes in 1 blocks", "144 bytes in 9 blocks", "0 bytes in 0 blocks", "0 bytes in 0 blocks")]
    [TestCase("seeds/possibly_lost.c", "0 bytes in 0 blocks", "0 bytes in 0 blocks", "160 bytes in 1 blocks", "0 bytes in 0 blocks")]
    public void LeakSummaryMatchesValgrinds(string fixture, string definitely, string indirectly, string possibly, string reachable)
    {
        var result = MemcheckRunner.Run(fixture, backend, "--leak-check=full");
        var lines = MemcheckRunner.Commentary(result);
        int at = lines.IndexOf("LEAK SUMMARY:");
        Assert.That(at, Is.GreaterThanOrEqualTo(0), result.ToString());
        Assert.That(lines.Skip(at + 1).Take(5), Is.EqualTo(new[]
        {
            $"   definitely lost: {definitely}",
            $"   indirectly lost: {indirectly}",
            $"     possibly lost: {possibly}",
            $"   still reachable: {reachable}",
            "        suppressed: 0 bytes in 0 blocks",
        }), result.ToString());
    }
}
