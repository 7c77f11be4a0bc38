using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// A backend that runs every block twice from the same state: first in the IR interpreter (recording
/// each store's old bytes through its guard, then undoing them), then as compiled code with chaining
/// off, and records every difference in the resulting guest state or stored bytes. The guest carries
/// on with the compiled result, so a run is a real execution checked block by block.
/// </summary>
internal sealed unsafe class LockstepBackend(BackendContext context) : IBackend, IDisposable
{
    private readonly BlockCompiler _compiler = new();
    private readonly IrInterpreter _interpreter = new();
    private readonly GuestState* _start = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);
    private readonly GuestState* _expected = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);

    /// <summary>One line per block execution where the two disagreed (the first few are kept in full).</summary>
    public List<string> Mismatches { get; } = [];
    public long BlocksRun { get; private set; }
    public HashSet<ulong> DistinctBlocks { get; } = [];

    public Translation Prepare(Superblock sb) => new Checked(sb, _compiler.Compile(sb, context), this);

    public bool KeepsIr => true;

    public void Invalidate(ulong start, ulong length) => context.Cache.Invalidate(start, length);

    public void Flush() => context.Cache.Flush();

    public void Dispose()
    {
        NativeMemory.AlignedFree(_start);
        NativeMemory.AlignedFree(_expected);
    }

    private (ulong, JumpKind) Run(Superblock sb, CompiledBlock block, GuestState* state, IGuestMemoryGuard guard)
    {
        BlocksRun++;
        DistinctBlocks.Add(sb.GuestAddress);
        var stateBytes = new Span<byte>(state, GuestState.BlockSize);
        stateBytes.CopyTo(new Span<byte>(_start, GuestState.BlockSize));

        var log = new StoreLog(guard);
        var exit = _interpreter.Run(sb, state, log);
        stateBytes.CopyTo(new Span<byte>(_expected, GuestState.BlockSize));
        var interpreterStores = log.Undo();

        new Span<byte>(_start, GuestState.BlockSize).CopyTo(stateBytes);
        ulong next = block.Entry(state);
        var kind = (JumpKind)state->ExitKind;

        if (next != exit.NextAddress || kind != exit.Kind)
            Record(sb, $"exit: compiled 0x{next:x} {kind}, interpreter 0x{exit.NextAddress:x} {exit.Kind}");
        _expected->ExitKind = state->ExitKind;
        _expected->ExitAddr = state->ExitAddr;
        var want = new Span<byte>(_expected, GuestState.BlockSize);
        int diff = stateBytes.CommonPrefixLength(want);
        if (diff < GuestState.BlockSize)
        {
            int at = diff & ~7;
            Record(sb, $"state differs at offset {diff}: compiled 0x{Unsafe.ReadUnaligned<ulong>(ref stateBytes[at]):x16}, " +
                $"interpreter 0x{Unsafe.ReadUnaligned<ulong>(ref want[at]):x16} (qword at {at})");
        }
        foreach (var (address, bytes) in interpreterStores)
        {
            var got = new ReadOnlySpan<byte>((void*)address, bytes.Length);
            if (!got.SequenceEqual(bytes))
                Record(sb, $"memory at 0x{address:x}: compiled {Convert.ToHexString(got)}, interpreter {Convert.ToHexString(bytes)}");
        }
        return (next, kind);
    }

    private void Record(Superblock sb, string what)
    {
        const int keptInFull = 5;
        Mismatches.Add(Mismatches.Count < keptInFull ? $"block 0x{sb.GuestAddress:x}: {what}\n{IrPrinter.Format(sb)}" : $"block 0x{sb.GuestAddress:x}: {what}");
    }

    private sealed class Checked(Superblock ir, CompiledBlock block, LockstepBackend owner) : Translation(ir)
    {
        private readonly Superblock _ir = ir;

        public override (ulong Next, JumpKind Kind) Execute(GuestState* state, IGuestMemoryGuard guard) =>
            owner.Run(_ir, block, state, guard);

        public override bool HasInstructionAt(ulong pc) => block.HasInstructionAt(pc);
    }

    /// <summary>
    /// A guard that remembers the bytes under every store it allows, so the interpreter's writes can be
    /// read back and then undone (newest first, as stores may overlap).
    /// </summary>
    private sealed class StoreLog(IGuestMemoryGuard inner) : IGuestMemoryGuard
    {
        private readonly List<(ulong Address, byte[] Old)> _stores = [];

        public bool CanRead(ulong address, int size) => inner.CanRead(address, size);

        public bool CanWrite(ulong address, int size)
        {
            if (!inner.CanWrite(address, size)) return false;
            _stores.Add((address, new ReadOnlySpan<byte>((void*)address, size).ToArray()));
            return true;
        }

        /// <summary>Restores memory as it was and returns what each stored range held afterwards.</summary>
        public List<(ulong Address, byte[] Bytes)> Undo()
        {
            var written = _stores.Select(s => (s.Address, new ReadOnlySpan<byte>((void*)s.Address, s.Old.Length).ToArray())).ToList();
            for (int i = _stores.Count - 1; i >= 0; i--)
                _stores[i].Old.CopyTo(new Span<byte>((void*)_stores[i].Address, _stores[i].Old.Length));
            return written;
        }
    }
}
