using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Ir;

/// <summary>Every pass, alone and in the pipeline, leaves the result of random blocks unchanged.</summary>
public unsafe class OptimiserDifferentialTests
{
    private static readonly (string Name, Action<Superblock> Pass)[] Passes =
    [
        ("ConstantFolder", ConstantFolder.Run),
        ("RedundantGetElimination", RedundantGetElimination.Run),
        ("RedundantPutElimination", RedundantPutElimination.Run),
        ("DeadCodeElimination", DeadCodeElimination.Run),
        ("CompareSinking", CompareSinking.Run),
        ("Optimiser", sb => new Optimiser().Run(sb)),
        ("Optimiser with a specialisation hook", sb => new Optimiser { GuestSpecialisation = b => b }.Run(sb)),
    ];

    private static IEnumerable<TestCaseData> PassCases() =>
        Passes.Select(p => new TestCaseData(p.Pass).SetArgDisplayNames(p.Name));

    [TestCaseSource(nameof(PassCases))]
    public void PassKeepsTheResultOfRandomBlocks(Action<Superblock> pass)
    {
        int firstSeed = Environment.TickCount & 0xFFFFFF;
        for (int seed = firstSeed; seed < firstSeed + 400; seed++)
        {
            using var mem = new TestMemory(RandomBlocks.MemorySize);
            var original = RandomBlocks.Build(seed, mem.Address);
            var optimised = RandomBlocks.Build(seed, mem.Address);
            pass(optimised);
            string Why() => $"seed {seed}\n{original}\n--- optimised ---\n{optimised}";

            var (expectedExit, expectedState, expectedMemory) = Execute(original, seed, mem);
            var (actualExit, actualState, actualMemory) = Execute(optimised, seed, mem);

            Assert.That(actualExit, Is.EqualTo(expectedExit), Why);
            Assert.That(actualMemory.AsSpan().SequenceEqual(expectedMemory), Is.True, Why);
            if (expectedExit.Kind == JumpKind.SigSegv)
            {
                foreach (var (offset, size) in RedundantPutElimination.PreciseAtMemoryAccess.Append((GuestState.OffFaultAddr, 8)))
                    Assert.That(actualState.AsSpan(offset, size).SequenceEqual(expectedState.AsSpan(offset, size)), Is.True, () => $"offset {offset}: {Why()}");
            }
            else
            {
                int differs = actualState.AsSpan().CommonPrefixLength(expectedState);
                Assert.That(differs, Is.EqualTo(expectedState.Length), () => $"state differs at offset {differs}: {Why()}");
            }
        }
    }

    [Test]
    public void PipelineRemovesStatementsFromRandomBlocks()
    {
        int before = 0, after = 0;
        for (int seed = 0; seed < 100; seed++)
        {
            var sb = RandomBlocks.Build(seed, 0x10000);
            before += sb.Count;
            after += new Optimiser().Run(sb).Count;
        }
        Assert.That(after, Is.LessThan(before * 3 / 4), $"{before} statements became {after}");
    }

    /// <summary>Runs a block on a state and memory filled from the seed; returns what it left behind.</summary>
    private static (BlockExit, byte[] State, byte[] Memory) Execute(Superblock sb, int seed, TestMemory mem)
    {
        using var st = new TestState();
        var rng = new Random(seed);
        rng.NextBytes(st.Bytes[..GuestState.OffExitKind]);
        rng.NextBytes(new Span<byte>(mem.Base, mem.Size));
        var exit = new IrInterpreter().Run(sb, st.State, mem);
        return (exit, st.Bytes.ToArray(), new Span<byte>(mem.Base, mem.Size).ToArray());
    }
}
