using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tests.Ir;
using Memcheck.Engine.Tests.Jit;
using Memcheck.Engine.Tools.Memcheck.Instrumentation;

namespace Memcheck.Engine.Tests.MemcheckTool.Instrumentation;

/// <summary>
/// The pass on what the lifter really produces: one superblock from each of the first 2000 functions of the host's
/// libc (the blocks Engine.Bench's TranslationBenchmarks translate), with random V bits in the shadow registers and
/// memory. Instrumentation must never change a guest value, and the instrumented IR must compile to code that
/// agrees with the interpreter on values and V bits alike.
/// </summary>
public unsafe class InstrumentedLibcBlocksTests
{
    private const int Blocks = 2000;
    private const int BufferSize = 1 << 14;

    private static readonly OptimiserOnLiftedCodeTests.LibcText Libc = new(OptimiserOnLiftedCodeTests.Libc);
    private static readonly Optimiser Optimiser = new() { GuestSpecialisation = FlagSpecialiser.Rewrite };

    [Test, Category("Slow")]
    public void InstrumentedBlocksWithStackTrackingComputeTheSameGuestValuesAsUninstrumentedOnes()
    {
        var lifter = new Lifter(Libc);
        using var tool = new RecordingTool(trackOrigins: false);
        var instrumenter = new VBitInstrumenter(tool.Shadow);
        var stack = new StackPointerTracking(StackHelpers.Events);
        using var mem = new TestMemory(BufferSize);
        var handle = GCHandle.Alloc(tool);
        try
        {
            var interpreter = new IrInterpreter();
            int seed = Environment.TickCount & 0xFFFFFF, completed = 0;
            long lifted = 0, optimised = 0, instrumented = 0;
            foreach (ulong start in Libc.FunctionStarts.Take(Blocks))
            {
                var original = lifter.Lift(start);
                var withVBits = stack.Instrument(instrumenter.Instrument(lifter.Lift(start)));
                lifted += original.Count;
                optimised += Optimiser.Run(lifter.Lift(start)).Count;
                instrumented += Optimiser.Run(instrumenter.Instrument(lifter.Lift(start))).Count;
                string Why() => $"seed {seed}, block 0x{start:x}\n{original}\n--- instrumented ---\n{withVBits}";

                var expected = Execute(interpreter, original, seed, mem, tool, handle);
                var actual = Execute(interpreter, withVBits, seed, mem, tool, handle);
                Assert.That(actual.Exit, Is.EqualTo(expected.Exit), Why);
                Assert.That(actual.Memory.AsSpan().SequenceEqual(expected.Memory), Is.True, Why);
                if (expected.Exit.Kind == JumpKind.SigSegv)
                {
                    // Instrumenting optimises first: at a fault only the unwind registers are exact, as after the optimiser.
                    foreach (var (offset, size) in RedundantPutElimination.PreciseAtMemoryAccess)
                        Assert.That(actual.State.AsSpan(offset, size).SequenceEqual(expected.State.AsSpan(offset, size)), Is.True, Why);
                    continue;
                }
                completed++;
                int same = actual.State.AsSpan().CommonPrefixLength(expected.State);
                Assert.That(same, Is.EqualTo(expected.State.Length), () => $"guest state differs at offset {same}: {Why()}");
            }
            TestContext.Out.WriteLine($"{Blocks} libc blocks: {lifted} statements lifted, {optimised} optimised (none), " +
                $"{instrumented} instrumented and optimised (memcheck V bits): x{(double)instrumented / optimised:F2}; " +
                $"{completed} ran to an exit, {tool.Reports.Count} undefined-value reports");
            Assert.That(completed, Is.GreaterThan(200), "too few blocks ran without faulting to prove anything");
        }
        finally
        {
            handle.Free();
        }
    }

    private static (BlockExit Exit, byte[] State, byte[] Memory) Execute(IrInterpreter interpreter, Superblock sb, int seed,
        TestMemory mem, RecordingTool tool, GCHandle handle)
    {
        using var st = new TestState();
        var rng = new Random(seed ^ (int)sb.GuestAddress);
        Randomise(rng, st.State, mem.Address, BufferSize);
        rng.NextBytes(new Span<byte>(mem.Base, mem.Size));
        RandomVBits(rng, tool, st.State, mem.Address, BufferSize);
        st.State->ToolHandle = GCHandle.ToIntPtr(handle);
        var exit = interpreter.Run(sb, st.State, mem);
        return (exit, st.Bytes.ToArray(), new Span<byte>(mem.Base, mem.Size).ToArray());
    }

    /// <summary>Registers pointing into the buffer, random flags and vectors.</summary>
    private static void Randomise(Random rng, GuestState* s, ulong buffer, int size)
    {
        ulong middle = buffer + (ulong)size / 2;
        for (int i = 0; i < 16; i++) s->Gpr[i] = middle + (ulong)(rng.Next(-128, 128) * 8);
        s->Gpr[0] = (ulong)rng.Next(64);
        s->FsBase = middle;
        s->CcOp = (ulong)CcOp.Sub64;
        s->CcDep1 = (ulong)rng.NextInt64();
        s->CcDep2 = (ulong)rng.NextInt64();
        rng.NextBytes(new Span<byte>((byte*)s + GuestState.OffXmm0, 256));
    }

    /// <summary>Shadow registers and memory: each 8 bytes defined, undefined, or a random mix.</summary>
    private static void RandomVBits(Random rng, RecordingTool tool, GuestState* s, ulong buffer, int size)
    {
        ulong Pick() => rng.Next(4) switch { 0 or 1 => 0, 2 => ulong.MaxValue, _ => (ulong)rng.NextInt64() & (ulong)rng.NextInt64() };
        var shadow = (ulong*)((byte*)s + GuestState.ShadowOffset);
        for (int i = 0; i < GuestState.OffExitKind / 8; i++) shadow[i] = Pick();
        tool.Shadow.MakeDefined(buffer, (ulong)size);
        for (ulong a = buffer; a < buffer + (ulong)size; a += 64) tool.Shadow.SetVBits(a + (ulong)rng.Next(8) * 8, 8, Pick());
    }

    [Test, Category("Slow")]
    public void InstrumentedBlocksCompileAndAgreeWithTheInterpreterOnValuesAndVBits()
    {
        var lifter = new Lifter(Libc);
        using var tool = new RecordingTool(trackOrigins: false);
        var instrumenter = new VBitInstrumenter(tool.Shadow);
        using var m = new JitTestMachine();
        var handle = GCHandle.Alloc(tool);
        try
        {
            int seed = Environment.TickCount & 0xFFFFFF;
            var rng = new Random(seed);
            const int owned = (JitTestMachine.ReadWritePages + JitTestMachine.ReadOnlyPages) * 4096;
            foreach (ulong start in Libc.FunctionStarts.Take(Blocks))
            {
                var sb = Optimiser.Run(instrumenter.Instrument(lifter.Lift(start)));
                new Span<byte>(m.State, GuestState.BlockSize).Clear();
                m.State->Reset();
                Randomise(rng, m.State, m.MemoryBase, JitTestMachine.ReadWritePages * 4096);
                rng.NextBytes(new Span<byte>(m.Memory, JitTestMachine.MemoryBytes));
                RandomVBits(rng, tool, m.State, m.MemoryBase, owned);
                m.State->ToolHandle = GCHandle.ToIntPtr(handle);
                string where = $"seed {seed}, block 0x{start:x}\n{sb}";

                var memoryBefore = new Span<byte>(m.Memory, JitTestMachine.MemoryBytes).ToArray();
                var vbitsBefore = ShadowOf(tool, m.MemoryBase, owned);
                new Span<byte>(m.State, GuestState.BlockSize).CopyTo(new Span<byte>(m.Reference, GuestState.BlockSize));
                var expected = new IrInterpreter().Run(sb, m.Reference, m.PageMap);
                var expectedMemory = new Span<byte>(m.Memory, JitTestMachine.MemoryBytes).ToArray();
                var expectedVBits = ShadowOf(tool, m.MemoryBase, owned);

                memoryBefore.CopyTo(new Span<byte>(m.Memory, JitTestMachine.MemoryBytes));
                for (int i = 0; i < vbitsBefore.Length; i++) tool.Shadow.SetVBits(m.MemoryBase + 8 * (ulong)i, 8, vbitsBefore[i]);
                ulong next = m.Run(m.Compile(sb));

                Assert.That(next, Is.EqualTo(expected.NextAddress), where);
                Assert.That((JumpKind)m.State->ExitKind, Is.EqualTo(expected.Kind), where);
                m.Reference->ExitKind = m.State->ExitKind;
                m.Reference->ExitAddr = m.State->ExitAddr;
                var got = new Span<byte>(m.State, GuestState.BlockSize);
                int same = got.CommonPrefixLength(new Span<byte>(m.Reference, GuestState.BlockSize));
                Assert.That(same, Is.EqualTo(GuestState.BlockSize), () => $"state differs at offset {same}: {where}");
                Assert.That(new Span<byte>(m.Memory, JitTestMachine.MemoryBytes).SequenceEqual(expectedMemory), Is.True, where);
                Assert.That(ShadowOf(tool, m.MemoryBase, owned), Is.EqualTo(expectedVBits), where);
            }
        }
        finally
        {
            handle.Free();
        }
    }

    private static ulong[] ShadowOf(RecordingTool tool, ulong start, int size)
    {
        var vbits = new ulong[size / 8];
        for (int i = 0; i < vbits.Length; i++) vbits[i] = tool.Shadow.GetVBits(start + 8 * (ulong)i, 8, out _);
        return vbits;
    }
}
