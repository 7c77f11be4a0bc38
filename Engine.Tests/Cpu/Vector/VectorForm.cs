using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Cpu.Sse;

namespace Memcheck.Engine.Tests.Cpu.Vector;

/// <summary>
/// One encoding (an Iced <see cref="Code"/>, legacy or VEX) of a vector instruction the lifter table claims, with
/// its register-or-memory operand in register or memory form; encodes random instances of itself. Memory operands
/// are [rsi]; GPRs are the caller-saved ones the native stub loads (never RSI or R11); MMX forms are not covered.
/// </summary>
public sealed class VectorForm(Code code, bool memory)
{
    private static readonly Register[] Gpr64 = [Register.RAX, Register.RCX, Register.RDX, Register.RDI, Register.R8, Register.R9, Register.R10];
    private static readonly Register[] Gpr16 = [Register.AX, Register.CX, Register.DX, Register.DI, Register.R8W, Register.R9W, Register.R10W];
    private static readonly Register[] Gpr8 = [Register.AL, Register.CL, Register.DL, Register.DIL, Register.R8L, Register.R9L, Register.R10L];

    public Code Code { get; } = code;
    public bool Memory { get; } = memory;
    public Mnemonic Mnemonic => Code.Mnemonic();

    public override string ToString() => $"{Code}{(Memory ? "/mem" : "")}";

    /// <summary>The CPUID features of the CPU the guest sees that VEX encodings need.</summary>
    public static readonly CpuidFeature[] GuestFeatures =
    [
        CpuidFeature.AVX, CpuidFeature.AVX2, CpuidFeature.FMA, CpuidFeature.F16C, CpuidFeature.BMI1, CpuidFeature.BMI2,
        CpuidFeature.AES, CpuidFeature.PCLMULQDQ,
    ];

    /// <summary>Every legacy form of the mnemonics the SSE families register (ldmxcsr/stmxcsr have their own tests).</summary>
    public static IEnumerable<VectorForm> Sse()
    {
        var table = new LifterTable();
        SseLifters.Register(table);
        return Legacy([.. table.Mnemonics.Where(m => m is not (Mnemonic.Ldmxcsr or Mnemonic.Stmxcsr))]);
    }

    /// <summary>Every VEX form of a mnemonic the lifter table has that the guest's CPU implements; gathers (VSIB) apart.</summary>
    public static IEnumerable<VectorForm> Vex()
    {
        var table = LifterTable.Build();
        return Of(code => code.ToOpCode().Encoding == EncodingKind.VEX && table.Contains(code.Mnemonic())
            && code.CpuidFeatures().All(GuestFeatures.Contains));
    }

    /// <summary>The legacy encodings of the given mnemonics.</summary>
    public static IEnumerable<VectorForm> Legacy(params Mnemonic[] mnemonics) =>
        Of(code => code.ToOpCode().Encoding == EncodingKind.Legacy && mnemonics.Contains(code.Mnemonic()));

    /// <summary>The wanted codes with supported operands, in register form and, with a register-or-memory operand, in memory form.</summary>
    private static IEnumerable<VectorForm> Of(Func<Code, bool> wanted)
    {
        foreach (var code in Enum.GetValues<Code>())
        {
            var op = code.ToOpCode();
            if (!op.Mode64 || !wanted(code)) continue;
            var kinds = Enumerable.Range(0, op.OpCount).Select(op.GetOpKind).ToArray();
            if (!kinds.All(Supported)) continue;
            bool either = kinds.Any(IsRegisterOrMemory), onlyMemory = kinds.Contains(OpCodeOperandKind.mem);
            if (!onlyMemory) yield return new VectorForm(code, false);
            if (either || onlyMemory) yield return new VectorForm(code, true);
        }
    }

    private static bool IsRegisterOrMemory(OpCodeOperandKind k) => k is OpCodeOperandKind.xmm_or_mem or OpCodeOperandKind.ymm_or_mem
        or OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem;

    private static bool Supported(OpCodeOperandKind k) => IsRegisterOrMemory(k) || k is OpCodeOperandKind.mem or OpCodeOperandKind.imm8
        or OpCodeOperandKind.xmm_reg or OpCodeOperandKind.xmm_vvvv or OpCodeOperandKind.xmm_rm or OpCodeOperandKind.xmm_is4
        or OpCodeOperandKind.ymm_reg or OpCodeOperandKind.ymm_vvvv or OpCodeOperandKind.ymm_rm or OpCodeOperandKind.ymm_is4
        or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r32_vvvv or OpCodeOperandKind.r32_rm
        or OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_vvvv or OpCodeOperandKind.r64_rm or OpCodeOperandKind.seg_rDI;

    /// <summary>
    /// A random instance: random registers and immediate (or <paramref name="immediate"/>); memory is [rsi],
    /// maskmovdqu's implicit [rdi].
    /// </summary>
    public byte[] Encode(Random rng, int? immediate = null)
    {
        var op = Code.ToOpCode();
        if (op.OpCount == 3 && op.GetOpKind(0) == OpCodeOperandKind.seg_rDI)
            return Bytes(op.Encoding == EncodingKind.VEX
                ? Instruction.CreateVmaskmovdqu(64, Register.XMM0 + rng.Next(16), Register.XMM0 + rng.Next(16))
                : Instruction.CreateMaskmovdqu(64, Register.XMM0 + rng.Next(16), Register.XMM0 + rng.Next(16)));
        var operands = new object[op.OpCount];
        for (int i = 0; i < operands.Length; i++)
        {
            var kind = op.GetOpKind(i);
            operands[i] = kind switch
            {
                OpCodeOperandKind.imm8 => immediate ?? rng.Next(256),
                OpCodeOperandKind.mem => new MemoryOperand(Register.RSI),
                _ when Memory && IsRegisterOrMemory(kind) => new MemoryOperand(Register.RSI),
                OpCodeOperandKind.xmm_reg or OpCodeOperandKind.xmm_vvvv or OpCodeOperandKind.xmm_rm or OpCodeOperandKind.xmm_or_mem
                    or OpCodeOperandKind.xmm_is4 => Register.XMM0 + rng.Next(16),
                OpCodeOperandKind.ymm_reg or OpCodeOperandKind.ymm_vvvv or OpCodeOperandKind.ymm_rm or OpCodeOperandKind.ymm_or_mem
                    or OpCodeOperandKind.ymm_is4 => Register.YMM0 + rng.Next(16),
                OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_vvvv or OpCodeOperandKind.r64_rm or OpCodeOperandKind.r64_or_mem
                    => Gpr64[rng.Next(Gpr64.Length)],
                OpCodeOperandKind.r8_or_mem => Gpr8[rng.Next(Gpr8.Length)],
                OpCodeOperandKind.r16_or_mem => Gpr16[rng.Next(Gpr16.Length)],
                _ => Gpr64[rng.Next(Gpr64.Length)].GetFullRegister32(),
            };
        }
        return Bytes(InstructionForms.Create(Code, operands));
    }

    public static byte[] Bytes(Instruction insn)
    {
        var writer = new ByteWriter();
        if (!Encoder.Create(64, writer).TryEncode(insn, VectorLiftedRunner.Ip, out _, out var error))
            throw new InvalidOperationException($"{insn.Code}: {error}");
        return writer.Bytes;
    }

    private sealed class ByteWriter : CodeWriter
    {
        private readonly List<byte> _bytes = [];
        public byte[] Bytes => [.. _bytes];
        public override void WriteByte(byte value) => _bytes.Add(value);
    }
}
