using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Tests.Jit;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu.X87;

/// <summary>
/// Runs one x87 snippet natively, and lifted on a fresh guest state both interpreted and compiled
/// by the backend (which must agree with the interpreter exactly).
/// The snippet gets rdi = input buffer and rsi = output buffer. It runs between a prologue that
/// sets the x87 precision to 53 bits (so the CPU rounds as F64 arithmetic does) and an epilogue
/// that restores the default control word; it must leave the x87 stack empty. Afterwards the
/// output buffer holds, at <see cref="RaxSlot"/> and <see cref="FlagsSlot"/>, RAX and the OSZAPC flags.
/// </summary>
internal sealed unsafe class X87Differential : IDisposable
{
    public const int BufferSize = 1024;
    public const int RaxSlot = BufferSize - 16, FlagsSlot = BufferSize - 8;
    /// <summary>Input offsets of the two control words the prologue and epilogue load.</summary>
    private const int PrologueControl = BufferSize - 4, EpilogueControl = BufferSize - 2;
    private const ulong GuestCodeAddress = 0x10_0000;

    private readonly byte* _input = Alloc(BufferSize);
    private readonly byte* _nativeOutput = Alloc(BufferSize);
    private readonly byte* _liftedOutput = Alloc(BufferSize);
    private readonly byte* _compiledOutput = Alloc(BufferSize);
    private readonly GuestState* _state = (GuestState*)Alloc(GuestState.BlockSize);
    private readonly IrInterpreter _interpreter = new();
    private readonly TestPageMap _pageMap = new();
    // Every run compiles its blocks afresh: room for 50 runs of fxrstor/fxsave blocks with their checks.
    private readonly CodeCache _cache = new(4 << 20);
    private readonly BlockCompiler _compiler = new();
    private readonly BackendContext _backend;

    public X87Differential()
    {
        foreach (var buffer in new[] { _input, _liftedOutput, _compiledOutput })
            _pageMap.Mark((ulong)buffer, BufferSize, 3);
        _backend = new BackendContext(_pageMap.Level1, _cache);
    }

    public Span<byte> Input => new(_input, BufferSize);
    public Span<byte> Native => new(_nativeOutput, BufferSize);
    public Span<byte> Lifted => new(_liftedOutput, BufferSize);
    public ref GuestState State => ref *_state;

    /// <summary>Precision-control field of the prologue's control word (0x200: 53 bits), rounding bits added by tests.</summary>
    public ushort ControlWord { get; set; } = 0x027F;

    private static byte* Alloc(int size)
    {
        var p = (byte*)NativeMemory.AlignedAlloc((nuint)size, 64);
        new Span<byte>(p, size).Clear();
        return p;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_input);
        NativeMemory.AlignedFree(_nativeOutput);
        NativeMemory.AlignedFree(_liftedOutput);
        NativeMemory.AlignedFree(_compiledOutput);
        NativeMemory.AlignedFree(_state);
        _cache.Dispose();
        _pageMap.Dispose();
    }

    /// <summary>Run <paramref name="body"/> natively and lifted, each writing its own output buffer.</summary>
    public void Run(Action<Assembler> body)
    {
        *(ushort*)(_input + PrologueControl) = ControlWord;
        *(ushort*)(_input + EpilogueControl) = 0x037F;
        Native.Clear();
        Lifted.Clear();

        var snippet = Snippet(body);
        var native = Snippet(body);
        native.mov(__qword_ptr[rsi + RaxSlot], rax);
        native.pushfq();
        native.pop(rax);
        native.and(rax, (int)X86Flags.Oszapc);
        native.mov(__qword_ptr[rsi + FlagsSlot], rax);
        native.ret();
        using (var code = new NativeCode(native)) code.Function(_input, _nativeOutput);

        var guestCode = NativeCode.Assemble(snippet);
        RunLifted(guestCode, _liftedOutput, sb => _interpreter.Run(sb, _state, _pageMap));
        RunLifted(guestCode, _compiledOutput, sb =>
        {
            ulong next = _compiler.Compile(sb, _backend).Entry(_state);
            return new BlockExit(next, (JumpKind)_state->ExitKind);
        });
        // The interpreter is the reference the backend must follow exactly.
        if (!Lifted.SequenceEqual(new Span<byte>(_compiledOutput, BufferSize)))
            throw new InvalidOperationException("compiled code and the interpreter disagree on the same lifted blocks");
    }

    private static Assembler Snippet(Action<Assembler> body)
    {
        var asm = new Assembler(64);
        // The CPU's condition bits are whatever the process left; start both sides from the same state.
        asm.fninit();
        asm.fldcw(__word_ptr[rdi + PrologueControl]);
        body(asm);
        asm.fldcw(__word_ptr[rdi + EpilogueControl]);
        return asm;
    }

    private void RunLifted(byte[] code, byte* output, Func<Superblock, BlockExit> execute)
    {
        new Span<byte>(output, BufferSize).Clear();
        _state->Reset();
        _state->Gpr[7] = (ulong)_input;    // rdi
        _state->Gpr[6] = (ulong)output;    // rsi
        var lifter = new Lifter(new ArrayCodeSource(GuestCodeAddress, code));
        ulong end = GuestCodeAddress + (ulong)code.Length;
        for (ulong pc = GuestCodeAddress; pc != end;)
        {
            var sb = lifter.Lift(pc);
            var exit = execute(sb);
            if (exit.NextAddress != end && exit.Kind != JumpKind.Boring)
                throw new InvalidOperationException($"lifted code left with {exit.Kind} at 0x{exit.NextAddress:x}:\n{sb}");
            pc = exit.NextAddress;
        }
        *(ulong*)(output + RaxSlot) = _state->Gpr[0];
        *(ulong*)(output + FlagsSlot) =
            FlagHelpers.Compute((CcOp)_state->CcOp, _state->CcDep1, _state->CcDep2, _state->CcNdep);
    }

    public T NativeAt<T>(int offset) where T : unmanaged => *(T*)(_nativeOutput + offset);
    public T LiftedAt<T>(int offset) where T : unmanaged => *(T*)(_liftedOutput + offset);
    public void SetInput<T>(int offset, T value) where T : unmanaged => *(T*)(_input + offset) = value;

    private sealed class ArrayCodeSource(ulong address, byte[] code) : ICodeSource
    {
        public int Read(ulong at, Span<byte> buffer)
        {
            if (at < address || at >= address + (ulong)code.Length) return 0;
            var rest = code.AsSpan((int)(at - address));
            int n = Math.Min(rest.Length, buffer.Length);
            rest[..n].CopyTo(buffer);
            return n;
        }
    }
}
