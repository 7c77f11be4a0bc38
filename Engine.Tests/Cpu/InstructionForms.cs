using Iced.Intel;
using static Memcheck.Engine.Cpu.X86Flags;

namespace Memcheck.Engine.Tests.Cpu;

/// <summary>
/// Every legacy-encoded 64-bit form (Iced Code) of a mnemonic whose operands are GPRs, memory or
/// immediates, with random operands: registers from a pool that spares RSP and RBX (the data
/// pointer), memory as [rbx+disp] inside the data buffer, random immediates.
/// </summary>
public static class InstructionForms
{
    private static readonly Register[] Pool64 =
        [Register.RAX, Register.RCX, Register.RDX, Register.RBP, Register.RSI, Register.RDI, Register.R8, Register.R9,
         Register.R10, Register.R11, Register.R12, Register.R13, Register.R14, Register.R15];
    private static readonly Register[] Legacy8 = [Register.AL, Register.CL, Register.DL, Register.AH, Register.CH, Register.DH];

    public static IEnumerable<Code> Of(Mnemonic mnemonic) =>
        Enum.GetValues<Code>().Where(c => c.Mnemonic() == mnemonic && IsTestable(c));

    private static bool IsTestable(Code code)
    {
        var info = code.ToOpCode();
        if (!info.Mode64 || info.Encoding != EncodingKind.Legacy) return false;
        for (int i = 0; i < info.OpCount; i++)
            if (!IsSupported(info.GetOpKind(i))) return false;
        return true;
    }

    private static bool IsSupported(OpCodeOperandKind k) => k is
        OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem
        or OpCodeOperandKind.r8_reg or OpCodeOperandKind.r16_reg or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r64_reg
        or OpCodeOperandKind.r8_opcode or OpCodeOperandKind.r16_opcode or OpCodeOperandKind.r32_opcode or OpCodeOperandKind.r64_opcode
        or OpCodeOperandKind.r16_rm or OpCodeOperandKind.r32_rm or OpCodeOperandKind.r64_rm or OpCodeOperandKind.mem
        or OpCodeOperandKind.imm8 or OpCodeOperandKind.imm8_const_1 or OpCodeOperandKind.imm8sex16 or OpCodeOperandKind.imm8sex32
        or OpCodeOperandKind.imm8sex64 or OpCodeOperandKind.imm16 or OpCodeOperandKind.imm32 or OpCodeOperandKind.imm32sex64
        or OpCodeOperandKind.imm64 or OpCodeOperandKind.al or OpCodeOperandKind.cl or OpCodeOperandKind.ax
        or OpCodeOperandKind.eax or OpCodeOperandKind.rax;

    /// <summary>A random instance of the form. <paramref name="registerOnly"/> keeps r/m operands in registers.</summary>
    public static Instruction Random(Code code, Random rng, bool registerOnly = false)
    {
        var info = code.ToOpCode();
        bool has64 = Enumerable.Range(0, info.OpCount).Any(i => Width(info.GetOpKind(i)) == 64) || code.ToString().Contains("64");
        bool legacy8 = !has64 && rng.Next(2) == 0;
        var ops = new object[info.OpCount];
        for (int i = 0; i < info.OpCount; i++) ops[i] = Operand(info.GetOpKind(i), rng, legacy8, registerOnly);
        return Create(code, ops);
    }

    private static int Width(OpCodeOperandKind k) => k switch
    {
        OpCodeOperandKind.r64_or_mem or OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_opcode or OpCodeOperandKind.r64_rm
            or OpCodeOperandKind.rax => 64,
        _ => 0,
    };

    private static object Operand(OpCodeOperandKind k, Random rng, bool legacy8, bool registerOnly)
    {
        switch (k)
        {
            case OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem:
                return !registerOnly && rng.Next(3) == 0 ? DataOperand(rng) : Gpr(k, rng, legacy8);
            case OpCodeOperandKind.mem: return DataOperand(rng);
            case OpCodeOperandKind.imm8_const_1: return 1;
            case OpCodeOperandKind.imm8 or OpCodeOperandKind.imm8sex16 or OpCodeOperandKind.imm8sex32 or OpCodeOperandKind.imm8sex64:
                return rng.Next(3) == 0 ? rng.Next(0, 70) : rng.Next(-128, 128);
            case OpCodeOperandKind.imm16: return rng.Next(0, 65536);
            case OpCodeOperandKind.imm32 or OpCodeOperandKind.imm32sex64: return (int)DifferentialHarness.Value(rng);
            case OpCodeOperandKind.imm64: return (long)DifferentialHarness.Value(rng);
            case OpCodeOperandKind.al: return Register.AL;
            case OpCodeOperandKind.cl: return Register.CL;
            case OpCodeOperandKind.ax: return Register.AX;
            case OpCodeOperandKind.eax: return Register.EAX;
            case OpCodeOperandKind.rax: return Register.RAX;
            default: return Gpr(k, rng, legacy8);
        }
    }

    public static MemoryOperand DataOperand(Random rng) => new(Register.RBX, rng.Next(-0x800, 0x7F0));

    private static Register Gpr(OpCodeOperandKind k, Random rng, bool legacy8)
    {
        var full = legacy8 ? Pool64[rng.Next(6)] : Pool64[rng.Next(Pool64.Length)];
        int index = full - Register.RAX;
        return k switch
        {
            OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r8_reg or OpCodeOperandKind.r8_opcode =>
                legacy8 ? Legacy8[rng.Next(Legacy8.Length)] : index < 4 ? Register.AL + index : Register.SPL + (index - 4),
            OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r16_reg or OpCodeOperandKind.r16_opcode or OpCodeOperandKind.r16_rm => Register.AX + index,
            OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_opcode or OpCodeOperandKind.r32_rm => Register.EAX + index,
            _ => full,
        };
    }

    /// <summary>The instruction of <paramref name="code"/> with these operands (registers, memory, immediates, in order).</summary>
    public static Instruction Create(Code code, object[] ops) => ops switch
    {
        [] => Instruction.Create(code),
        [Register a] => Instruction.Create(code, a),
        [int a] => Instruction.Create(code, a),
        [int a, int b] => Instruction.Create(code, a, b),
        [MemoryOperand a] => Instruction.Create(code, a),
        [Register a, Register b] => Instruction.Create(code, a, b),
        [Register a, MemoryOperand b] => Instruction.Create(code, a, b),
        [MemoryOperand a, Register b] => Instruction.Create(code, a, b),
        [Register a, int b] => Instruction.Create(code, a, b),
        [Register a, long b] => Instruction.Create(code, a, b),
        [MemoryOperand a, int b] => Instruction.Create(code, a, b),
        [Register a, Register b, int c] => Instruction.Create(code, a, b, c),
        [Register a, MemoryOperand b, int c] => Instruction.Create(code, a, b, c),
        [MemoryOperand a, Register b, int c] => Instruction.Create(code, a, b, c),
        [Register a, Register b, Register c] => Instruction.Create(code, a, b, c),
        [Register a, Register b, MemoryOperand c] => Instruction.Create(code, a, b, c),
        [Register a, MemoryOperand b, Register c] => Instruction.Create(code, a, b, c),
        [MemoryOperand a, Register b, Register c] => Instruction.Create(code, a, b, c),
        [Register a, Register b, Register c, int d] => Instruction.Create(code, a, b, c, d),
        [Register a, Register b, MemoryOperand c, int d] => Instruction.Create(code, a, b, c, d),
        [Register a, Register b, Register c, Register d] => Instruction.Create(code, a, b, c, d),
        [Register a, Register b, MemoryOperand c, Register d] => Instruction.Create(code, a, b, c, d),
        _ => throw new NotSupportedException($"{code}: operands {string.Join(", ", ops)}"),
    };

    /// <summary>Flags the architecture leaves undefined after the form (not compared).</summary>
    public static ulong UndefinedFlags(Code code)
    {
        bool byOne = code.ToString().EndsWith("_1", StringComparison.Ordinal);
        return code.Mnemonic() switch
        {
            Mnemonic.Shl or Mnemonic.Sal or Mnemonic.Shr or Mnemonic.Sar or Mnemonic.Shld or Mnemonic.Shrd => byOne ? AF : AF | OF,
            Mnemonic.Rol or Mnemonic.Ror or Mnemonic.Rcl or Mnemonic.Rcr => byOne ? 0 : OF,
            Mnemonic.Mul or Mnemonic.Imul => SF | ZF | AF | PF,
            Mnemonic.Div or Mnemonic.Idiv => Oszapc,
            Mnemonic.And or Mnemonic.Or or Mnemonic.Xor or Mnemonic.Test => AF,
            Mnemonic.Bt or Mnemonic.Bts or Mnemonic.Btr or Mnemonic.Btc => OF | SF | AF | PF,
            Mnemonic.Bsf or Mnemonic.Bsr => CF | OF | SF | AF | PF,
            Mnemonic.Tzcnt or Mnemonic.Lzcnt => OF | SF | AF | PF,
            _ => 0,
        };
    }
}
