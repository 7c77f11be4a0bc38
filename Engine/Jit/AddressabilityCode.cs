using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Jit.X64;

namespace Memcheck.Engine.Jit;

/// <summary>Machine-code walks of a tool's addressability map (the layout <see cref="Core.AccessCheck"/> fixes).</summary>
internal static class AddressabilityCode
{
    /// <summary>rdx = the secondary of the address in <paramref name="address"/>; jumps to <paramref name="beyond"/> at or above 2^47. Clobbers rcx.</summary>
    public static void SecondaryOf(HostAssembler a, int address, nint primary, int beyond)
    {
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, R64(address)));
        a.Emit(Instruction.Create(Code.Shr_rm64_imm8, Register.RCX, AddressabilityMap.PrimaryShift));
        a.Emit(Instruction.Create(Code.Cmp_rm64_imm32, Register.RCX, (int)AddressabilityMap.PrimaryEntries));
        a.Jcc(ConditionCode.ae, beyond);
        a.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.RDX, (ulong)primary));
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDX, new MemoryOperand(Register.RDX, Register.RCX, 8)));
        a.Emit(Instruction.Create(Code.Mov_r32_rm32, Register.ECX, R(address, 4)));
        a.Emit(Instruction.Create(Code.Shr_rm32_imm8, Register.ECX, AddressabilityMap.ChunkShift));
        a.Emit(Instruction.Create(Code.And_rm32_imm32, Register.ECX, AddressabilityMap.MiddleMask));
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDX, new MemoryOperand(Register.RDX, Register.RCX, 8)));
    }

    /// <summary>
    /// Jumps to <paramref name="other"/> unless the 2-bit fields of the <paramref name="size"/> bytes at the address in
    /// <paramref name="address"/> (1, 2, 4, 8 or 16 bytes; aligned to the size, or to 4 for 8 and 16) all hold
    /// <paramref name="state"/>. Clobbers rcx, rdx, r11.
    /// </summary>
    /// <param name="orFrom">
    /// A second state accepted (sizes 4 and up) when the secondary is not in <paramref name="shared"/>: its fields
    /// are then set to <paramref name="state"/>.
    /// </param>
    public static void FieldsAre(HostAssembler a, int address, nint primary, int size, int state, int other,
        int orFrom = -1, (nint Start, int Length) shared = default)
    {
        SecondaryOf(a, address, primary, other);
        a.Emit(Instruction.Create(Code.Movzx_r32_rm16, Register.ECX, R(address, 2)));
        a.Emit(Instruction.Create(Code.Shr_rm32_imm8, Register.ECX, 2));
        if (size > 4)
        {
            // Only 4-aligned: the fields may run past the end of this chunk's secondary.
            a.Emit(Instruction.Create(Code.Cmp_rm32_imm32, Register.ECX, (AddressabilityMap.ChunkMask + 1 - size) >> 2));
            a.Jcc(ConditionCode.a, other);
        }
        var fields = new MemoryOperand(Register.RDX, Register.RCX, 1);
        // The state repeated for every byte: 2 bits each, the first byte lowest.
        uint pattern = (uint)state * 0x5555_5555u;
        if (orFrom >= 0 && size >= 4)
        {
            int done = a.NewLabel();
            a.Emit(CompareFields(fields, size, pattern));
            a.Jcc(ConditionCode.e, done);
            a.Emit(CompareFields(fields, size, (uint)orFrom * 0x5555_5555u));
            a.Jcc(ConditionCode.ne, other);
            JumpIfShared(a, shared, other);
            a.Emit(size switch
            {
                16 => Instruction.Create(Code.Mov_rm32_imm32, fields, unchecked((int)pattern)),
                8 => Instruction.Create(Code.Mov_rm16_imm16, fields, (int)(pattern & 0xFFFF)),
                _ => Instruction.Create(Code.Mov_rm8_imm8, fields, (int)(pattern & 0xFF)),
            });
            a.Bind(done);
            return;
        }
        switch (size)
        {
            case 16 or 8 or 4: a.Emit(CompareFields(fields, size, pattern)); break;
            default:
                a.Emit(Instruction.Create(Code.Movzx_r32_rm8, Register.R11D, fields));
                ShiftToField(a, address);
                a.Emit(Instruction.Create(Code.And_rm32_imm32, Register.R11D, (1 << (2 * size)) - 1));
                a.Emit(Instruction.Create(Code.Cmp_rm32_imm32, Register.R11D, (int)(pattern & ((1u << (2 * size)) - 1))));
                break;
        }
        a.Jcc(ConditionCode.ne, other);
    }

    /// <summary>Jumps to <paramref name="other"/> when the secondary in rdx is a shared one. Clobbers r11.</summary>
    public static void JumpIfShared(HostAssembler a, (nint Start, int Length) shared, int other)
    {
        a.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.R11, (ulong)shared.Start));
        a.Emit(Instruction.Create(Code.Neg_rm64, Register.R11));
        a.Emit(Instruction.Create(Code.Add_r64_rm64, Register.R11, Register.RDX));
        a.Emit(Instruction.Create(Code.Cmp_rm64_imm32, Register.R11, shared.Length));
        a.Jcc(ConditionCode.b, other);
    }

    private static Instruction CompareFields(MemoryOperand fields, int size, uint pattern) => size switch
    {
        16 => Instruction.Create(Code.Cmp_rm32_imm32, fields, unchecked((int)pattern)),
        8 => Instruction.Create(Code.Cmp_rm16_imm16, fields, (int)(pattern & 0xFFFF)),
        _ => Instruction.Create(Code.Cmp_rm8_imm8, fields, (int)(pattern & 0xFF)),
    };

    /// <summary>Shifts r11 right by 2 * (address &amp; 3): the first accessed byte's field to bit 0. Clobbers rcx.</summary>
    public static void ShiftToField(HostAssembler a, int address)
    {
        a.Emit(Instruction.Create(Code.Mov_r32_rm32, Register.ECX, R(address, 4)));
        a.Emit(Instruction.Create(Code.And_rm32_imm32, Register.ECX, 3));
        a.Emit(Instruction.Create(Code.Add_r32_rm32, Register.ECX, Register.ECX));
        a.Emit(Instruction.Create(Code.Shr_rm32_CL, Register.R11D, Register.CL));
    }
}
