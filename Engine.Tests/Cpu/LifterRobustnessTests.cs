using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Cpu;

/// <summary>Random bytes as guest code: the lifter ends blocks with NoDecode or SigSegv, it never throws.</summary>
public class LifterRobustnessTests
{
    [Test]
    public void Random_bytes_never_make_the_lifter_throw()
    {
        var rng = new Random(77);
        // Legacy prefixes and escapes, and the VEX (C4, C5), EVEX (62) and XOP (8F) ones, whose AVX-512 and XOP
        // forms share mnemonics with lifted AVX instructions and must be refused, not lifted or thrown on.
        byte[] prefixes = [0x66, 0x67, 0xF2, 0xF3, 0xF0, 0x2E, 0x64, 0x65, 0x48, 0x4C, 0x41, 0x0F, 0xC4, 0xC5, 0x62, 0x8F];
        var failures = new List<string>();
        for (int round = 0; round < 40000 && failures.Count < 10; round++)
        {
            var bytes = new byte[rng.Next(1, 40)];
            rng.NextBytes(bytes);
            for (int i = 0; i < bytes.Length && rng.Next(3) == 0; i++) bytes[i] = prefixes[rng.Next(prefixes.Length)];
            try
            {
                var sb = new Lifter(new BufferCodeSource(0x401000, bytes)).Lift(0x401000);
                Assert.That(sb.Next.IsNone, Is.False);
            }
            catch (Exception e) when (e is not AssertionException)
            {
                failures.Add($"{Convert.ToHexString(bytes)}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.That(failures, Is.Empty, string.Join("\n", failures));
    }
}
