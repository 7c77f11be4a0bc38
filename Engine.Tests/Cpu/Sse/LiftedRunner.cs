using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// Runs one instruction through the translator's front half: decode, lift with the real lifter
/// table, execute the IR with <see cref="IrInterpreter"/> on a guest state built from a <see cref="CpuImage"/>.
/// </summary>
internal sealed unsafe class LiftedRunner : IDisposable
{
    public const ulong Ip = 0x10000;
    private static readonly LifterTable Table = LifterTable.Build();
    private readonly GuestState* _state = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);
    private readonly IrInterpreter _interpreter = new();

    /// <summary>The IR of the last run, for failure messages.</summary>
    public Superblock? LastBlock { get; private set; }

    public static Instruction Decode(ReadOnlySpan<byte> bytes)
    {
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes.ToArray()), Ip);
        decoder.Decode(out var insn);
        if (insn.IsInvalid || insn.Length != bytes.Length) throw new ArgumentException($"not one instruction: {Convert.ToHexString(bytes)}");
        return insn;
    }

    /// <summary>Lift and run; false when the lifter rejects the form. The image is updated in place.</summary>
    public bool Run(ReadOnlySpan<byte> bytes, CpuImage* image, IGuestMemoryGuard guard, out BlockExit exit)
    {
        var insn = Decode(bytes);
        var sb = new Superblock(Ip);
        LastBlock = sb;
        var ctx = new LiftContext(sb);
        sb.IMark(Ip, insn.Length);
        ctx.Begin(insn);
        var lift = Table.Find(insn.Mnemonic);
        exit = default;
        if (lift is null || !lift(ctx)) return false;
        sb.Next = IrValue.U64(insn.NextIP);
        sb.NextKind = JumpKind.Boring;

        _state->Reset();
        for (int i = 0; i < 32; i++) _state->Xmm[i] = image->Xmm[i];
        for (int i = 0; i < CpuImage.Gprs.Length; i++) _state->Gpr[CpuImage.Gprs[i] - Register.RAX] = image->Gpr[i];
        _state->CcOp = (ulong)CcOp.Copy;
        _state->CcDep1 = image->Rflags & X86Flags.Oszapc;
        _state->Mxcsr = image->Mxcsr;

        exit = _interpreter.Run(sb, _state, guard);

        for (int i = 0; i < 32; i++) image->Xmm[i] = _state->Xmm[i];
        for (int i = 0; i < CpuImage.Gprs.Length; i++) image->Gpr[i] = _state->Gpr[CpuImage.Gprs[i] - Register.RAX];
        image->Rflags = FlagHelpers.Compute((CcOp)_state->CcOp, _state->CcDep1, _state->CcDep2, _state->CcNdep);
        image->Mxcsr = _state->Mxcsr;
        return true;
    }

    public void Dispose() => NativeMemory.AlignedFree(_state);
}

/// <summary>Allows exactly one buffer: a lifted access elsewhere is a lifter bug the test must see.</summary>
internal sealed class BufferGuard(ulong start, int length) : IGuestMemoryGuard
{
    public bool CanRead(ulong address, int size) => address >= start && address + (ulong)size <= start + (ulong)length;
    public bool CanWrite(ulong address, int size) => CanRead(address, size);
}
