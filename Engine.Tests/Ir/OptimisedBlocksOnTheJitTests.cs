using Memcheck.Engine.Cpu;
using Memcheck.Engine.Tests.Jit;

namespace Memcheck.Engine.Tests.Ir;

/// <summary>What the optimiser leaves (constants where the lifter had temps, truncated blocks) compiles and agrees with the interpreter.</summary>
public unsafe class OptimisedBlocksOnTheJitTests
{
    [Test]
    public void OptimisedRandomBlocksCompileAndMatchTheInterpreter()
    {
        using var m = new JitTestMachine();
        int firstSeed = Environment.TickCount & 0xFFFFFF;
        for (int seed = firstSeed; seed < firstSeed + 300; seed++)
        {
            var rng = new Random(seed);
            rng.NextBytes(new Span<byte>(m.State, GuestState.OffExitKind));
            rng.NextBytes(new Span<byte>(m.Memory, RandomBlocks.MemorySize));
            var sb = new Memcheck.Engine.Ir.Optimiser().Run(RandomBlocks.Build(seed, m.MemoryBase));
            Differential.Check(m, sb, $"seed {seed}");
        }
    }

    [Test, Category("Slow")]
    public void OptimisedLibcBlocksCompileAndMatchTheInterpreter()
    {
        var text = new OptimiserOnLiftedCodeTests.LibcText(OptimiserOnLiftedCodeTests.Libc);
        var lifter = new Lifter(text);
        using var m = new JitTestMachine();
        int seed = Environment.TickCount & 0xFFFFFF;
        var rng = new Random(seed);
        foreach (ulong start in text.FunctionStarts.Take(1500))
        {
            new Span<byte>(m.State, GuestState.BlockSize).Clear();
            m.State->Reset();
            ulong middle = m.MemoryBase + JitTestMachine.ReadWritePages * 4096 / 2;
            for (int i = 0; i < 16; i++) m.State->Gpr[i] = middle + (ulong)(rng.Next(-64, 64) * 8);
            m.State->FsBase = middle;
            m.State->CcOp = (ulong)CcOp.Sub64;
            rng.NextBytes(new Span<byte>((byte*)m.State + GuestState.OffXmm0, 256));
            rng.NextBytes(new Span<byte>(m.Memory, JitTestMachine.ReadWritePages * 4096));
            var sb = new Memcheck.Engine.Ir.Optimiser().Run(lifter.Lift(start));
            Differential.Check(m, sb, $"seed {seed}, block 0x{start:x}");
        }
    }
}
