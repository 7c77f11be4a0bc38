using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu.X87;

/// <summary>
/// Runs one x87 snippet twice: natively, and lifted and interpreted on a fresh guest state.
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
    private readonly GuestState* _state = (GuestState*)Alloc(GuestState.BlockSize);

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
        NativeMemory.AlignedFree(_state);
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

        RunLifted(NativeCode.Assemble(snippet));
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

    private void RunLifted(byte[] code)
    {
        _state->Reset();
        _state->Gpr[7] = (ulong)_input;          // rdi
        _state->Gpr[6] = (ulong)_liftedOutput;   // rsi
        var lifter = new Lifter(new ArrayCodeSource(GuestCodeAddress, code));
        var interpreter = new IrInterpreter();
        ulong end = GuestCodeAddress + (ulong)code.Length;
        for (ulong pc = GuestCodeAddress; pc != end;)
        {
            var sb = lifter.Lift(pc);
            var exit = interpreter.Run(sb, _state, AllowAll.Instance);
            if (exit.NextAddress != end && exit.Kind != JumpKind.Boring)
                throw new InvalidOperationException($"lifted code left with {exit.Kind} at 0x{exit.NextAddress:x}:\n{sb}");
            pc = exit.NextAddress;
        }
        *(ulong*)(_liftedOutput + RaxSlot) = _state->Gpr[0];
        *(ulong*)(_liftedOutput + FlagsSlot) =
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

    private sealed class AllowAll : IGuestMemoryGuard
    {
        public static readonly AllowAll Instance = new();
        public bool CanRead(ulong address, int size) => true;
        public bool CanWrite(ulong address, int size) => true;
    }
}
