using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>Random superblocks, compiled and interpreted from the same state: same state, memory and exit.</summary>
public sealed unsafe class RandomBlockTests
{
    private static void RunSeeds(int firstSeed, int count, int statements, bool mayFault)
    {
        using var m = new JitTestMachine();
        for (int seed = firstSeed; seed < firstSeed + count; seed++)
        {
            var rng = new Random(seed);
            rng.NextBytes(new Span<byte>(m.Memory, JitTestMachine.MemoryBytes));
            rng.NextBytes(new Span<byte>(m.State, GuestState.BlockSize));
            var sb = new RandomBlockGenerator(rng, m).Generate(0x10_0000 + (ulong)seed * 0x100, statements, mayFault);
            Differential.Check(m, sb, $"seed {seed}");
        }
    }

    [Test]
    public void ShortBlocksMatchTheInterpreter() => RunSeeds(1, 400, 12, mayFault: false);

    [Test, Category("Slow")]
    public void LongBlocksUnderRegisterPressureMatchTheInterpreter() => RunSeeds(10_000, 150, 120, mayFault: false);

    [Test, Category("Slow")]
    public void BlocksWithRefusedAccessesMatchTheInterpreter() => RunSeeds(20_000, 300, 40, mayFault: true);
}
