using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Cpu;

/// <summary>Runs guest code through Lifter + IrInterpreter, block by block, until it reaches a given address.</summary>
public sealed unsafe class LiftedRunner : IDisposable
{
    private readonly GuestState* _state;
    private readonly IrInterpreter _interpreter = new();

    public LiftedRunner()
    {
        _state = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);
        new Span<byte>(_state, GuestState.BlockSize).Clear();
    }

    public GuestState* State => _state;

    /// <summary>Guest state from plain registers and RFLAGS (thunk in COPY mode).</summary>
    public void Load(ulong[] gprs, ulong rflags)
    {
        _state->Reset();
        for (int i = 0; i < 16; i++) _state->Gpr[i] = gprs[i];
        _state->CcOp = (ulong)CcOp.Copy;
        _state->CcDep1 = rflags & X86Flags.Oszapc;
        _state->DFlag = (rflags & X86Flags.DF) != 0 ? -1 : 1;
    }

    public ulong Rflags =>
        FlagHelpers.Compute((CcOp)_state->CcOp, _state->CcDep1, _state->CcDep2, _state->CcNdep)
        | (_state->DFlag == -1 ? X86Flags.DF : 0);

    /// <summary>Run from <paramref name="start"/> until control reaches <paramref name="end"/>; returns the first exit that is not an ordinary jump, call or return (or null).</summary>
    public BlockExit? Run(Lifter lifter, ulong start, ulong end, IGuestMemoryGuard guard,
        Func<Superblock, Superblock>? transform = null, int maxBlocks = 100_000)
    {
        ulong pc = start;
        for (int i = 0; i < maxBlocks && pc != end; i++)
        {
            var sb = lifter.Lift(pc);
            var exit = _interpreter.Run(transform is null ? sb : transform(sb), _state, guard);
            // The code ends where the test stops reading; reaching it is the normal end whatever the kind.
            if (exit.NextAddress == end) return null;
            if (exit.Kind is not (JumpKind.Boring or JumpKind.Call or JumpKind.Ret)) return exit;
            pc = exit.NextAddress;
        }
        return pc == end ? null : new BlockExit(pc, JumpKind.Boring);
    }

    public void Dispose() => NativeMemory.AlignedFree(_state);
}

/// <summary>Code readable in [Start, End) only.</summary>
public sealed class RangeCodeSource(ulong start, ulong end) : ICodeSource
{
    public unsafe int Read(ulong address, Span<byte> buffer)
    {
        if (address < start || address >= end) return 0;
        int n = (int)Math.Min((ulong)buffer.Length, end - address);
        new ReadOnlySpan<byte>((void*)address, n).CopyTo(buffer);
        return n;
    }
}

/// <summary>Memory the test owns: [Start, End).</summary>
public sealed class RangeGuard(ulong start, ulong end) : IGuestMemoryGuard
{
    public bool CanRead(ulong address, int size) => address >= start && address + (ulong)size <= end;
    public bool CanWrite(ulong address, int size) => CanRead(address, size);
}
