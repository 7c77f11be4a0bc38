using System.Runtime.InteropServices;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// The register state one differential run compares: all XMM registers, the caller-saved GPRs a
/// generated instruction may name, RSI (the memory operand's base), OSZAPC and MXCSR.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal unsafe struct CpuImage
{
    public const int Size = 336;
    public const int OffXmm = 0, OffGpr = 256, OffRflags = 320, OffHostMxcsr = 328, OffMxcsr = 332;

    /// <summary>GPRs held in <see cref="Gpr"/>, in this order.</summary>
    public static readonly Iced.Intel.Register[] Gprs =
    [
        Iced.Intel.Register.RAX, Iced.Intel.Register.RCX, Iced.Intel.Register.RDX, Iced.Intel.Register.RDI,
        Iced.Intel.Register.R8, Iced.Intel.Register.R9, Iced.Intel.Register.R10, Iced.Intel.Register.RSI,
    ];

    [FieldOffset(OffXmm)] public fixed ulong Xmm[32];
    [FieldOffset(OffGpr)] public fixed ulong Gpr[8];
    [FieldOffset(OffRflags)] public ulong Rflags;
    [FieldOffset(OffHostMxcsr)] public uint HostMxcsr;
    [FieldOffset(OffMxcsr)] public uint Mxcsr;
}
