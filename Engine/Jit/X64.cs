using Iced.Intel;

namespace Memcheck.Engine.Jit;

/// <summary>
/// Host registers by encoding number (0 = rax ... 15 = r15) and the width-indexed instruction forms
/// the emitter picks from, so each operation is written once for 8, 16, 32 and 64 bits.
/// </summary>
internal static class X64
{
    public const int Rax = 0, Rcx = 1, Rdx = 2, Rbx = 3, Rsp = 4, Rbp = 5, Rsi = 6, Rdi = 7;
    public const int R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;

    private static readonly Register[] Low8 =
    [
        Register.AL, Register.CL, Register.DL, Register.BL, Register.SPL, Register.BPL, Register.SIL, Register.DIL,
        Register.R8L, Register.R9L, Register.R10L, Register.R11L, Register.R12L, Register.R13L, Register.R14L, Register.R15L,
    ];

    /// <summary>The register <paramref name="reg"/> viewed at <paramref name="bytes"/> width.</summary>
    public static Register R(int reg, int bytes) => bytes switch
    {
        1 => Low8[reg],
        2 => Register.AX + reg,
        4 => Register.EAX + reg,
        8 => Register.RAX + reg,
        _ => throw new ArgumentOutOfRangeException(nameof(bytes)),
    };

    public static Register R64(int reg) => Register.RAX + reg;

    private static int W(int bytes) => bytes switch { 1 => 0, 2 => 1, 4 => 2, 8 => 3, _ => throw new ArgumentOutOfRangeException(nameof(bytes)) };

    /// <summary>An instruction family at the four integer widths.</summary>
    public readonly record struct Forms(Code B8, Code B16, Code B32, Code B64)
    {
        public Code At(int bytes) => W(bytes) switch { 0 => B8, 1 => B16, 2 => B32, _ => B64 };
    }

    /// <summary>Two-operand ALU instruction: reg/mem destination with reg, mem or immediate source.</summary>
    public sealed record Alu(Forms RmR, Forms RRm, Forms RmImm);

    public static readonly Alu Add = new(
        new(Code.Add_rm8_r8, Code.Add_rm16_r16, Code.Add_rm32_r32, Code.Add_rm64_r64),
        new(Code.Add_r8_rm8, Code.Add_r16_rm16, Code.Add_r32_rm32, Code.Add_r64_rm64),
        new(Code.Add_rm8_imm8, Code.Add_rm16_imm16, Code.Add_rm32_imm32, Code.Add_rm64_imm32));
    public static readonly Alu Sub = new(
        new(Code.Sub_rm8_r8, Code.Sub_rm16_r16, Code.Sub_rm32_r32, Code.Sub_rm64_r64),
        new(Code.Sub_r8_rm8, Code.Sub_r16_rm16, Code.Sub_r32_rm32, Code.Sub_r64_rm64),
        new(Code.Sub_rm8_imm8, Code.Sub_rm16_imm16, Code.Sub_rm32_imm32, Code.Sub_rm64_imm32));
    public static readonly Alu And = new(
        new(Code.And_rm8_r8, Code.And_rm16_r16, Code.And_rm32_r32, Code.And_rm64_r64),
        new(Code.And_r8_rm8, Code.And_r16_rm16, Code.And_r32_rm32, Code.And_r64_rm64),
        new(Code.And_rm8_imm8, Code.And_rm16_imm16, Code.And_rm32_imm32, Code.And_rm64_imm32));
    public static readonly Alu Or = new(
        new(Code.Or_rm8_r8, Code.Or_rm16_r16, Code.Or_rm32_r32, Code.Or_rm64_r64),
        new(Code.Or_r8_rm8, Code.Or_r16_rm16, Code.Or_r32_rm32, Code.Or_r64_rm64),
        new(Code.Or_rm8_imm8, Code.Or_rm16_imm16, Code.Or_rm32_imm32, Code.Or_rm64_imm32));
    public static readonly Alu Xor = new(
        new(Code.Xor_rm8_r8, Code.Xor_rm16_r16, Code.Xor_rm32_r32, Code.Xor_rm64_r64),
        new(Code.Xor_r8_rm8, Code.Xor_r16_rm16, Code.Xor_r32_rm32, Code.Xor_r64_rm64),
        new(Code.Xor_rm8_imm8, Code.Xor_rm16_imm16, Code.Xor_rm32_imm32, Code.Xor_rm64_imm32));
    public static readonly Alu Cmp = new(
        new(Code.Cmp_rm8_r8, Code.Cmp_rm16_r16, Code.Cmp_rm32_r32, Code.Cmp_rm64_r64),
        new(Code.Cmp_r8_rm8, Code.Cmp_r16_rm16, Code.Cmp_r32_rm32, Code.Cmp_r64_rm64),
        new(Code.Cmp_rm8_imm8, Code.Cmp_rm16_imm16, Code.Cmp_rm32_imm32, Code.Cmp_rm64_imm32));

    /// <summary>Shift or rotate: by CL or by an 8-bit immediate.</summary>
    public sealed record Shift(Forms ByCl, Forms ByImm);

    public static readonly Shift Shl = new(
        new(Code.Shl_rm8_CL, Code.Shl_rm16_CL, Code.Shl_rm32_CL, Code.Shl_rm64_CL),
        new(Code.Shl_rm8_imm8, Code.Shl_rm16_imm8, Code.Shl_rm32_imm8, Code.Shl_rm64_imm8));
    public static readonly Shift Shr = new(
        new(Code.Shr_rm8_CL, Code.Shr_rm16_CL, Code.Shr_rm32_CL, Code.Shr_rm64_CL),
        new(Code.Shr_rm8_imm8, Code.Shr_rm16_imm8, Code.Shr_rm32_imm8, Code.Shr_rm64_imm8));
    public static readonly Shift Sar = new(
        new(Code.Sar_rm8_CL, Code.Sar_rm16_CL, Code.Sar_rm32_CL, Code.Sar_rm64_CL),
        new(Code.Sar_rm8_imm8, Code.Sar_rm16_imm8, Code.Sar_rm32_imm8, Code.Sar_rm64_imm8));
    public static readonly Shift Rol = new(
        new(Code.Rol_rm8_CL, Code.Rol_rm16_CL, Code.Rol_rm32_CL, Code.Rol_rm64_CL),
        new(Code.Rol_rm8_imm8, Code.Rol_rm16_imm8, Code.Rol_rm32_imm8, Code.Rol_rm64_imm8));
    public static readonly Shift Ror = new(
        new(Code.Ror_rm8_CL, Code.Ror_rm16_CL, Code.Ror_rm32_CL, Code.Ror_rm64_CL),
        new(Code.Ror_rm8_imm8, Code.Ror_rm16_imm8, Code.Ror_rm32_imm8, Code.Ror_rm64_imm8));

    public static readonly Forms Not = new(Code.Not_rm8, Code.Not_rm16, Code.Not_rm32, Code.Not_rm64);
    public static readonly Forms Neg = new(Code.Neg_rm8, Code.Neg_rm16, Code.Neg_rm32, Code.Neg_rm64);
    public static readonly Forms MovRmR = new(Code.Mov_rm8_r8, Code.Mov_rm16_r16, Code.Mov_rm32_r32, Code.Mov_rm64_r64);
    public static readonly Forms MovRmImm = new(Code.Mov_rm8_imm8, Code.Mov_rm16_imm16, Code.Mov_rm32_imm32, Code.Mov_rm64_imm32);
    public static readonly Forms TestRmR = new(Code.Test_rm8_r8, Code.Test_rm16_r16, Code.Test_rm32_r32, Code.Test_rm64_r64);

    /// <summary>Whether <paramref name="value"/> can be an immediate of a <paramref name="bytes"/>-wide instruction.</summary>
    public static bool FitsImmediate(ulong value, int bytes) => bytes < 8 || (long)value == (int)value;

    /// <summary>The immediate operand for a <paramref name="bytes"/>-wide instruction (64-bit forms sign-extend 32 bits).</summary>
    public static int Immediate(ulong value, int bytes) => bytes switch
    {
        1 => (byte)value,
        2 => (ushort)value,
        _ => unchecked((int)value),
    };
}
