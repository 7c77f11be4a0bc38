using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using Memcheck.Engine.Tests.Jit;

namespace Memcheck.Engine.Tests.Cpu.Vector;

/// <summary>
/// Runs one instruction through the translator on a guest state built from a <see cref="VectorImage"/>: lifted with
/// the real lifter table and executed by the IR interpreter, or lifted, optimised as the translator does and
/// compiled by the backend. Memory accesses are allowed in one buffer only, whose last 16 bytes are the guest's
/// stack top (masked accesses park their unselected elements there).
/// </summary>
internal sealed unsafe class VectorLiftedRunner : IDisposable
{
    public const ulong Ip = 0x10000;
    private const long CacheBytes = 16 << 20;
    private static readonly LifterTable Table = LifterTable.Build();
    private static readonly Optimiser Optimiser = new() { GuestSpecialisation = FlagSpecialiser.Rewrite };

    private readonly GuestState* _state = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);
    private readonly IrInterpreter _interpreter = new();
    private readonly TestPageMap _pages = new();
    private readonly CodeCache _cache = new(CacheBytes);
    private readonly BlockCompiler _compiler = new();
    private readonly BackendContext _backend;
    private readonly ulong _memory;
    private readonly int _memoryBytes;

    public VectorLiftedRunner(byte* memory, int bytes)
    {
        _memory = (ulong)memory;
        _memoryBytes = bytes;
        _pages.Mark(_memory, (ulong)bytes, 3);
        _backend = new BackendContext(_pages.Level1, _cache) { Chaining = false };
    }

    /// <summary>The IR of the last run, for failure messages.</summary>
    public Superblock? LastBlock { get; private set; }

    public static Instruction Decode(ReadOnlySpan<byte> bytes)
    {
        var decoder = Decoder.Create(64, new ByteArrayCodeReader(bytes.ToArray()), Ip);
        decoder.Decode(out var insn);
        if (insn.IsInvalid || insn.Length != bytes.Length) throw new ArgumentException($"not one instruction: {Convert.ToHexString(bytes)}");
        return insn;
    }

    /// <summary>The instruction's superblock, or null when the lifter refuses the form.</summary>
    public static Superblock? Lift(ReadOnlySpan<byte> bytes)
    {
        var insn = Decode(bytes);
        var sb = new Superblock(Ip);
        var ctx = new LiftContext(sb);
        sb.IMark(Ip, insn.Length);
        ctx.Begin(insn);
        var lift = Table.Find(insn.Mnemonic);
        if (lift is null || !lift(ctx)) return null;
        sb.Next = IrValue.U64(insn.NextIP);
        sb.NextKind = JumpKind.Boring;
        return sb;
    }

    /// <summary>Lift and interpret; the image is updated in place. False when the lifter refuses the form.</summary>
    public bool Interpret(ReadOnlySpan<byte> bytes, VectorImage* image, out BlockExit exit)
    {
        exit = default;
        var sb = Lift(bytes);
        LastBlock = sb;
        if (sb is null) return false;
        Load(image);
        exit = _interpreter.Run(sb, _state, new RangeGuard(_memory, _memory + (ulong)_memoryBytes));
        Store(image);
        return true;
    }

    /// <summary>Lift, optimise, compile and run; the image is updated in place.</summary>
    public bool Compile(ReadOnlySpan<byte> bytes, VectorImage* image, out BlockExit exit)
    {
        exit = default;
        var sb = Lift(bytes);
        if (sb is null) return false;
        if (_cache.Used > CacheBytes / 2) _cache.Flush();
        var block = _compiler.Compile(Optimiser.Run(sb), _backend);
        Load(image);
        ulong next = block.Entry(_state);
        exit = new BlockExit(next, (JumpKind)_state->ExitKind);
        Store(image);
        return true;
    }

    private void Load(VectorImage* image)
    {
        _state->Reset();
        for (int i = 0; i < 16; i++)
        {
            _state->Xmm[2 * i] = image->Ymm[4 * i];
            _state->Xmm[2 * i + 1] = image->Ymm[4 * i + 1];
            _state->YmmHi[2 * i] = image->Ymm[4 * i + 2];
            _state->YmmHi[2 * i + 1] = image->Ymm[4 * i + 3];
        }
        for (int i = 0; i < VectorImage.Gprs.Length; i++) _state->Gpr[VectorImage.Gprs[i] - Register.RAX] = image->Gpr[i];
        _state->Gpr[4] = _memory + (ulong)_memoryBytes - 16;
        _state->CcOp = (ulong)CcOp.Copy;
        _state->CcDep1 = image->Rflags & X86Flags.Oszapc;
        _state->Mxcsr = image->Mxcsr;
    }

    private void Store(VectorImage* image)
    {
        for (int i = 0; i < 16; i++)
        {
            image->Ymm[4 * i] = _state->Xmm[2 * i];
            image->Ymm[4 * i + 1] = _state->Xmm[2 * i + 1];
            image->Ymm[4 * i + 2] = _state->YmmHi[2 * i];
            image->Ymm[4 * i + 3] = _state->YmmHi[2 * i + 1];
        }
        for (int i = 0; i < VectorImage.Gprs.Length; i++) image->Gpr[i] = _state->Gpr[VectorImage.Gprs[i] - Register.RAX];
        image->Rflags = FlagHelpers.Compute((CcOp)_state->CcOp, _state->CcDep1, _state->CcDep2, _state->CcNdep) | (image->Rflags & ~X86Flags.Oszapc);
        image->Mxcsr = _state->Mxcsr;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_state);
        _cache.Dispose();
        _pages.Dispose();
    }
}
