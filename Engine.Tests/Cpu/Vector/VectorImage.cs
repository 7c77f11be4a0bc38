using System.Runtime.InteropServices;

namespace Memcheck.Engine.Tests.Cpu.Vector;

/// <summary>
/// The register state a vector differential run (legacy SSE or VEX) compares: all sixteen YMM registers, the caller-saved GPRs a
/// generated instruction may name, RSI (the memory operand's base), OSZAPC and MXCSR.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal unsafe struct VectorImage
{
    public const int Size = 592;
    public const int OffYmm = 0, OffGpr = 512, OffRflags = 576, OffHostMxcsr = 584, OffMxcsr = 588;

    /// <summary>GPRs held in <see cref="Gpr"/>, in this order; RSI last, as the memory operand's base.</summary>
    public static readonly Iced.Intel.Register[] Gprs =
    [
        Iced.Intel.Register.RAX, Iced.Intel.Register.RCX, Iced.Intel.Register.RDX, Iced.Intel.Register.RDI,
        Iced.Intel.Register.R8, Iced.Intel.Register.R9, Iced.Intel.Register.R10, Iced.Intel.Register.RSI,
    ];

    public const int Rsi = 7, Rdi = 3;

    /// <summary>YMMi as four qwords at 4i (the low two are XMMi).</summary>
    [FieldOffset(OffYmm)] public fixed ulong Ymm[64];
    [FieldOffset(OffGpr)] public fixed ulong Gpr[8];
    [FieldOffset(OffRflags)] public ulong Rflags;
    [FieldOffset(OffHostMxcsr)] public uint HostMxcsr;
    [FieldOffset(OffMxcsr)] public uint Mxcsr;

    public string YmmText(int i) => $"{Ymm[4 * i + 3]:x16}_{Ymm[4 * i + 2]:x16}_{Ymm[4 * i + 1]:x16}_{Ymm[4 * i]:x16}";
}
