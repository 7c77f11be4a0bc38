using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Ir;

/// <summary>
/// The optimiser on what the lifter really produces: a superblock from each function of the host's
/// libc, run optimised and unoptimised from the same random state (registers pointing into a guest
/// buffer), must leave the same state, memory and exit.
/// </summary>
public unsafe class OptimiserOnLiftedCodeTests
{
    internal const string Libc = "/lib/x86_64-linux-gnu/libc.so.6";
    private const int BufferSize = 1 << 16;

    [Test]
    public void OptimisedLibcBlocksBehaveAsLifted()
    {
        var text = new LibcText(Libc);
        var lifter = new Lifter(text);
        int seed = Environment.TickCount & 0xFFFFFF, statementsBefore = 0, statementsAfter = 0, completed = 0;
        using var mem = new TestMemory(BufferSize);
        var interpreter = new IrInterpreter();
        foreach (ulong start in text.FunctionStarts.Take(1500))
        {
            var original = lifter.Lift(start);
            var optimised = new Optimiser().Run(lifter.Lift(start));
            statementsBefore += original.Count;
            statementsAfter += optimised.Count;
            string Why() => $"seed {seed}, block 0x{start:x}\n{original}\n--- optimised ---\n{optimised}";

            var expected = Execute(interpreter, original, seed, mem);
            var actual = Execute(interpreter, optimised, seed, mem);

            Assert.That(actual.Exit, Is.EqualTo(expected.Exit), Why);
            Assert.That(actual.Memory.AsSpan().SequenceEqual(expected.Memory), Is.True, Why);
            if (expected.Exit.Kind == JumpKind.SigSegv)
            {
                foreach (var (offset, size) in RedundantPutElimination.PreciseAtMemoryAccess)
                    Assert.That(actual.State.AsSpan(offset, size).SequenceEqual(expected.State.AsSpan(offset, size)), Is.True, Why);
                continue;
            }
            completed++;
            int same = actual.State.AsSpan().CommonPrefixLength(expected.State);
            Assert.That(same, Is.EqualTo(expected.State.Length), () => $"state differs at offset {same}: {Why()}");
        }
        TestContext.Out.WriteLine($"{statementsBefore} statements became {statementsAfter}; {completed} blocks ran to an exit");
        Assert.That(completed, Is.GreaterThan(100), "too few blocks ran without faulting to prove anything");
        Assert.That(statementsAfter, Is.LessThan(statementsBefore));
    }

    private static (BlockExit Exit, byte[] State, byte[] Memory) Execute(IrInterpreter interpreter, Superblock sb, int seed, TestMemory mem)
    {
        using var st = new TestState();
        var rng = new Random(seed ^ (int)sb.GuestAddress);
        rng.NextBytes(new Span<byte>(mem.Base, mem.Size));
        GuestState* s = st.State;
        ulong middle = mem.Address + BufferSize / 2;
        for (int i = 0; i < 16; i++) s->Gpr[i] = middle + (ulong)(rng.Next(-512, 512) * 8);
        s->Gpr[0] = (ulong)rng.Next(64);
        s->FsBase = middle;
        s->CcOp = (ulong)CcOp.Sub64;
        s->CcDep1 = (ulong)rng.NextInt64();
        s->CcDep2 = (ulong)rng.NextInt64();
        rng.NextBytes(new Span<byte>((byte*)s + GuestState.OffXmm0, 256));
        var exit = interpreter.Run(sb, s, mem);
        return (exit, st.Bytes.ToArray(), new Span<byte>(mem.Base, mem.Size).ToArray());
    }

    /// <summary>.text of an ELF object served at its link-time addresses, with its function symbols as block starts.</summary>
    internal sealed class LibcText : ICodeSource
    {
        private readonly ulong _start;
        private readonly byte[] _bytes;
        public ulong[] FunctionStarts { get; }

        public LibcText(string path)
        {
            using var elf = ELFReader.Load<ulong>(path);
            var text = (Section<ulong>)elf.GetSection(".text");
            _start = text.LoadAddress;
            _bytes = text.GetContents();
            FunctionStarts = [.. elf.Sections.OfType<ISymbolTable>().SelectMany(t => t.Entries.OfType<SymbolEntry<ulong>>())
                .Where(e => e.Type == SymbolType.Function && e.Value >= _start && e.Value < _start + (ulong)_bytes.Length)
                .Select(e => e.Value).Distinct().Order()];
        }

        public int Read(ulong address, Span<byte> buffer)
        {
            if (address < _start || address >= _start + (ulong)_bytes.Length) return 0;
            var available = _bytes.AsSpan((int)(address - _start));
            int n = Math.Min(available.Length, buffer.Length);
            available[..n].CopyTo(buffer);
            return n;
        }
    }
}
