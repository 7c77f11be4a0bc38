using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Cpu.Sse;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// One encoding of an instruction the SSE lifters claim (an Iced <see cref="Code"/>), with its
/// register-or-memory operand in register or memory form; encodes random instances of itself.
/// </summary>
public sealed class SseForm(Code code, bool memory)
{
    /// <summary>GPRs an instance may name: caller-saved, and neither RSI (memory base) nor R11 (the stub's).</summary>
    private static readonly Register[] Gpr64 = [Register.RAX, Register.RCX, Register.RDX, Register.RDI, Register.R8, Register.R9, Register.R10];
    private static readonly Register[] Gpr16 = [Register.AX, Register.CX, Register.DX, Register.DI, Register.R8W, Register.R9W, Register.R10W];
    private static readonly Register[] Gpr8 = [Register.AL, Register.CL, Register.DL, Register.DIL, Register.R8L, Register.R9L, Register.R10L];

    public Code Code { get; } = code;
    public bool Memory { get; } = memory;

    public override string ToString() => $"{Code}{(Memory ? "/mem" : "")}";

    /// <summary>Every legacy-encoded 64-bit form of the mnemonics SseLifters registers, MMX forms excluded.</summary>
    public static IEnumerable<SseForm> All()
    {
        var table = new LifterTable();
        SseLifters.Register(table);
        var mnemonics = table.Mnemonics.ToHashSet();
        foreach (var code in Enum.GetValues<Code>())
        {
            if (!mnemonics.Contains(code.Mnemonic()) || code.Mnemonic() is Mnemonic.Ldmxcsr or Mnemonic.Stmxcsr) continue;
            var op = code.ToOpCode();
            if (op.Encoding != EncodingKind.Legacy || !op.Mode64) continue;
            var kinds = Enumerable.Range(0, op.OpCount).Select(op.GetOpKind).ToArray();
            if (!kinds.All(Supported)) continue;
            bool either = kinds.Any(IsRegisterOrMemory), onlyMemory = kinds.Contains(OpCodeOperandKind.mem);
            if (!onlyMemory) yield return new SseForm(code, false);
            if (either || onlyMemory) yield return new SseForm(code, true);
        }
    }

    private static bool IsRegisterOrMemory(OpCodeOperandKind k) => k is OpCodeOperandKind.xmm_or_mem
        or OpCodeOperandKind.r8_or_mem or OpCodeOperandKind.r16_or_mem or OpCodeOperandKind.r32_or_mem or OpCodeOperandKind.r64_or_mem;

    private static bool Supported(OpCodeOperandKind k) => IsRegisterOrMemory(k) || k is OpCodeOperandKind.xmm_reg
        or OpCodeOperandKind.xmm_rm or OpCodeOperandKind.r32_reg or OpCodeOperandKind.r64_reg or OpCodeOperandKind.r32_rm
        or OpCodeOperandKind.r64_rm or OpCodeOperandKind.mem or OpCodeOperandKind.imm8;

    /// <summary>A random instance: random registers and immediate; memory is [rsi].</summary>
    public byte[] Encode(Random rng)
    {
        var op = Code.ToOpCode();
        var operands = new object[op.OpCount];
        for (int i = 0; i < operands.Length; i++)
        {
            var kind = op.GetOpKind(i);
            operands[i] = kind switch
            {
                OpCodeOperandKind.imm8 => rng.Next(256),
                OpCodeOperandKind.mem => new MemoryOperand(Register.RSI),
                _ when Memory && IsRegisterOrMemory(kind) => new MemoryOperand(Register.RSI),
                OpCodeOperandKind.xmm_reg or OpCodeOperandKind.xmm_rm or OpCodeOperandKind.xmm_or_mem => Register.XMM0 + rng.Next(16),
                OpCodeOperandKind.r64_reg or OpCodeOperandKind.r64_rm or OpCodeOperandKind.r64_or_mem => Gpr64[rng.Next(Gpr64.Length)],
                OpCodeOperandKind.r8_or_mem => Gpr8[rng.Next(Gpr8.Length)],
                OpCodeOperandKind.r16_or_mem => Gpr16[rng.Next(Gpr16.Length)],
                _ => Gpr64[rng.Next(Gpr64.Length)].GetFullRegister32(),
            };
        }
        var insn = operands switch
        {
            [Register a] => Instruction.Create(Code, a),
            [MemoryOperand m] => Instruction.Create(Code, m),
            [Register a, Register b] => Instruction.Create(Code, a, b),
            [Register a, MemoryOperand m] => Instruction.Create(Code, a, m),
            [MemoryOperand m, Register b] => Instruction.Create(Code, m, b),
            [Register a, int i] => Instruction.Create(Code, a, i),
            [Register a, Register b, int i] => Instruction.Create(Code, a, b, i),
            [Register a, MemoryOperand m, int i] => Instruction.Create(Code, a, m, i),
            [MemoryOperand m, Register b, int i] => Instruction.Create(Code, m, b, i),
            _ => throw new NotSupportedException($"{Code}: operand shape {string.Join(",", operands.Select(o => o.GetType().Name))}"),
        };
        var writer = new ByteWriter();
        if (!Encoder.Create(64, writer).TryEncode(insn, LiftedRunner.Ip, out _, out var error))
            throw new InvalidOperationException($"{Code}: {error}");
        return writer.Bytes;
    }

    private sealed class ByteWriter : CodeWriter
    {
        private readonly List<byte> _bytes = [];
        public byte[] Bytes => [.. _bytes];
        public override void WriteByte(byte value) => _bytes.Add(value);
    }
}
