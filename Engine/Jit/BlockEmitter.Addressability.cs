using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Jit.X64;

namespace Memcheck.Engine.Jit;

/// <summary>
/// The access check against a tool's addressability map (2 bits per guest byte, 0 = not addressable; layout
/// in <see cref="Core.AccessCheck"/>). Naturally aligned accesses of 1, 2, 4, 8, 16 and 32 bytes are checked
/// inline: three loads walk the map, then one test that no 2-bit field of the covered bytes is 0. Other sizes
/// and alignments go to the block's range routine, still native. Only a byte not addressable leaves
/// generated code, for the tool's slow path.
/// </summary>
internal sealed unsafe partial class BlockEmitter
{
    private Label _addressableRange, _slowPath;
    private bool _usesAddressableRange, _usesSlowPath;

    /// <summary>Checks the access of <paramref name="bytes"/> at rax against the map. Clobbers rcx, rdx, r11.</summary>
    private void CheckAddressable(int bytes, bool write)
    {
        var general = _a.CreateLabel();
        var slow = _a.CreateLabel();
        var back = _a.CreateLabel();
        var fault = _a.CreateLabel();
        bool inline = bytes is 1 or 2 or 4 or 8 or 16 or 32;
        _usesAddressableRange |= !inline || bytes > 1;
        _usesSlowPath = true;
        if (inline)
        {
            if (bytes > 1)
            {
                I(Instruction.Create(Code.Test_rm8_imm8, R(Rax, 1), bytes - 1));
                _a.jnz(general);
            }
            SecondaryOf(Rax, slow);
            // rdx = the chunk's secondary, rcx = the byte of it holding the first accessed byte's field.
            I(Instruction.Create(Code.Movzx_r32_rm16, R(Rcx, 4), R(Rax, 2)));
            I(Instruction.Create(Code.Shr_rm32_imm8, R(Rcx, 4), 2));
            var fields = new MemoryOperand(R64(Rdx), R64(Rcx), 1);
            switch (bytes)
            {
                case 1:
                    I(Instruction.Create(Code.Movzx_r32_rm8, R(R11, 4), fields));
                    ShiftToField(Rax);
                    I(Instruction.Create(Code.Test_rm32_imm32, R(R11, 4), 3));
                    _a.jz(slow);
                    break;
                case 2:
                    I(Instruction.Create(Code.Movzx_r32_rm8, R(R11, 4), fields));
                    ShiftToField(Rax);
                    NoFieldZero(0x5, slow);
                    break;
                case 4:
                    AllDefinedOr(Code.Cmp_rm8_imm8, fields, 0xAA, back);
                    I(Instruction.Create(Code.Movzx_r32_rm8, R(R11, 4), fields));
                    NoFieldZero(0x55, slow);
                    break;
                case 8:
                    AllDefinedOr(Code.Cmp_rm16_imm16, fields, 0xAAAA, back);
                    I(Instruction.Create(Code.Movzx_r32_rm16, R(R11, 4), fields));
                    NoFieldZero(0x5555, slow);
                    break;
                case 16:
                    AllDefinedOr(Code.Cmp_rm32_imm32, fields, 0xAAAAAAAA, back);
                    I(Instruction.Create(Code.Mov_r32_rm32, R(R11, 4), fields));
                    NoFieldZero(0x55555555, slow);
                    break;
                default:
                    // 64 bits of fields: the patterns do not fit an immediate, so they go through rcx and rdx.
                    I(Instruction.Create(Code.Mov_r64_rm64, R64(R11), fields));
                    LoadConst(Rcx, 0xAAAA_AAAA_AAAA_AAAA);
                    I(Instruction.Create(Code.Cmp_r64_rm64, R64(R11), R64(Rcx)));
                    _a.je(back);
                    I(Instruction.Create(Code.Mov_r64_rm64, R64(Rcx), R64(R11)));
                    I(Instruction.Create(Code.Shr_rm64_imm8, R64(Rcx), 1));
                    I(Instruction.Create(Code.Or_r64_rm64, R64(Rcx), R64(R11)));
                    I(Instruction.Create(Code.Not_rm64, R64(Rcx)));
                    LoadConst(Rdx, 0x5555_5555_5555_5555);
                    I(Instruction.Create(Code.Test_rm64_r64, R64(Rcx), R64(Rdx)));
                    _a.jnz(slow);
                    break;
            }
        }
        else
        {
            I(Instruction.Create(Code.Mov_r32_imm32, R(R11, 4), (uint)bytes));
            _a.call(_addressableRange);
            _a.jz(slow);
        }
        _a.Label(ref back);

        ulong imark = _imark;
        _outOfLine.Add(() =>
        {
            if (inline)
            {
                _a.Label(ref general);
                I(Instruction.Create(Code.Mov_r32_imm32, R(R11, 4), (uint)bytes));
                _a.call(_addressableRange);
                _a.jnz(back);
            }
            _a.Label(ref slow);
            LoadConst(R11, imark);
            I(Instruction.Create(Code.Mov_r32_imm32, R(Rdx, 4), (uint)bytes));
            I(Instruction.Create(Code.Mov_r32_imm32, R(Rcx, 4), write ? 1u : 0u));
            _a.call(_slowPath);
            _a.jz(back);
            _a.jmp(fault);
        });
        FaultExit(fault);
    }

    /// <summary>
    /// Jumps to <paramref name="addressable"/> when the fields are memcheck's all-defined pattern (2 = defined,
    /// the common case of data being read): one compare instead of the field test.
    /// </summary>
    private void AllDefinedOr(Code compare, MemoryOperand fields, uint pattern, Label addressable)
    {
        I(compare == Code.Cmp_rm32_imm32
            ? Instruction.Create(compare, fields, unchecked((int)pattern))
            : Instruction.Create(compare, fields, (int)pattern));
        _a.je(addressable);
    }

    /// <summary>rdx = the secondary of the address in <paramref name="address"/>; jumps to <paramref name="beyond"/> at or above 2^47. Clobbers rcx.</summary>
    private void SecondaryOf(int address, Label beyond)
    {
        I(Instruction.Create(Code.Mov_r64_rm64, R64(Rcx), R64(address)));
        I(Instruction.Create(Code.Shr_rm64_imm8, R64(Rcx), AddressabilityMap.PrimaryShift));
        I(Instruction.Create(Code.Cmp_rm64_imm32, R64(Rcx), (int)AddressabilityMap.PrimaryEntries));
        _a.jae(beyond);
        I(Instruction.Create(Code.Mov_r64_imm64, R64(Rdx), (ulong)_ctx.AccessCheck!.Primary));
        I(Instruction.Create(Code.Mov_r64_rm64, R64(Rdx), new MemoryOperand(R64(Rdx), R64(Rcx), 8)));
        I(Instruction.Create(Code.Mov_r32_rm32, R(Rcx, 4), R(address, 4)));
        I(Instruction.Create(Code.Shr_rm32_imm8, R(Rcx, 4), AddressabilityMap.ChunkShift));
        I(Instruction.Create(Code.And_rm32_imm32, R(Rcx, 4), AddressabilityMap.MiddleMask));
        I(Instruction.Create(Code.Mov_r64_rm64, R64(Rdx), new MemoryOperand(R64(Rdx), R64(Rcx), 8)));
    }

    /// <summary>Shifts r11 right by 2 * (address &amp; 3): the first accessed byte's field to bit 0. Clobbers rcx.</summary>
    private void ShiftToField(int address)
    {
        I(Instruction.Create(Code.Mov_r32_rm32, R(Rcx, 4), R(address, 4)));
        I(Instruction.Create(Code.And_rm32_imm32, R(Rcx, 4), 3));
        I(Instruction.Create(Code.Add_r32_rm32, R(Rcx, 4), R(Rcx, 4)));
        I(Instruction.Create(Code.Shr_rm32_CL, R(R11, 4), Register.CL));
    }

    /// <summary>
    /// Jumps to <paramref name="slow"/> unless every 2-bit field of r11 that <paramref name="lowBits"/> marks
    /// (by its low bit) is non-zero: (r11 | r11 &gt;&gt; 1) must have all those bits set. Clobbers rcx.
    /// </summary>
    private void NoFieldZero(uint lowBits, Label slow)
    {
        I(Instruction.Create(Code.Mov_r32_rm32, R(Rcx, 4), R(R11, 4)));
        I(Instruction.Create(Code.Shr_rm32_imm8, R(Rcx, 4), 1));
        I(Instruction.Create(Code.Or_r32_rm32, R(Rcx, 4), R(R11, 4)));
        I(Instruction.Create(Code.Not_rm32, R(Rcx, 4)));
        I(Instruction.Create(Code.Test_rm32_imm32, R(Rcx, 4), lowBits));
        _a.jnz(slow);
    }

    private void AddressabilityRoutines()
    {
        if (_usesAddressableRange) AddressableRangeRoutine();
        if (_usesSlowPath) SlowPathRoutine();
    }

    /// <summary>
    /// Checks the r11 (at least 1) bytes from rax byte by byte: ZF set when one is not addressable.
    /// Clobbers rcx, rdx, r11; keeps every other register.
    /// </summary>
    private void AddressableRangeRoutine()
    {
        var next = _a.CreateLabel();
        var refused = _a.CreateLabel();
        _a.Label(ref _addressableRange);
        I(Instruction.Create(Code.Push_r64, R64(Rsi)));
        I(Instruction.Create(Code.Push_r64, R64(Rdi)));
        I(Instruction.Create(Code.Lea_r64_m, R64(Rsi), new MemoryOperand(R64(Rax), R64(R11), 1)));
        I(Instruction.Create(Code.Mov_r64_rm64, R64(Rdi), R64(Rax)));
        _a.Label(ref next);
        SecondaryOf(Rdi, refused);
        I(Instruction.Create(Code.Movzx_r32_rm16, R(Rcx, 4), R(Rdi, 2)));
        I(Instruction.Create(Code.Shr_rm32_imm8, R(Rcx, 4), 2));
        I(Instruction.Create(Code.Movzx_r32_rm8, R(R11, 4), new MemoryOperand(R64(Rdx), R64(Rcx), 1)));
        ShiftToField(Rdi);
        I(Instruction.Create(Code.Test_rm32_imm32, R(R11, 4), 3));
        _a.jz(refused);
        I(Instruction.Create(Code.Inc_rm64, R64(Rdi)));
        I(Instruction.Create(Code.Cmp_r64_rm64, R64(Rdi), R64(Rsi)));
        _a.jne(next);
        I(Instruction.Create(Code.Pop_r64, R64(Rdi)));
        I(Instruction.Create(Code.Pop_r64, R64(Rsi)));
        I(Instruction.Create(Code.Test_rm64_r64, R64(Rsp), R64(Rsp)));
        I(Instruction.Create(Code.Retnq));
        _a.Label(ref refused);
        I(Instruction.Create(Code.Pop_r64, R64(Rdi)));
        I(Instruction.Create(Code.Pop_r64, R64(Rsi)));
        I(Instruction.Create(Code.Xor_r32_rm32, R(Rcx, 4), R(Rcx, 4)));
        I(Instruction.Create(Code.Retnq));
    }

    /// <summary>
    /// Calls the tool's slow path for the access at rax (size in edx, 1 in ecx for a store) with RIP = r11:
    /// ZF set when it allows the access. Keeps rax and every register temps live in.
    /// </summary>
    private void SlowPathRoutine()
    {
        // Temps may live in the caller-saved registers across a load or store: the call must not lose them.
        int[] kept = [Rax, Rsi, Rdi, R8, R9, R10];
        _a.Label(ref _slowPath);
        I(Instruction.Create(Code.Mov_rm64_r64, State(GuestState.OffRip), R64(R11)));
        foreach (int r in kept) I(Instruction.Create(Code.Push_r64, R64(r)));
        // The return address and six pushes leave rsp 8 off the 16-byte alignment calls need.
        I(Instruction.Create(Code.Sub_rm64_imm32, R64(Rsp), 8));
        I(Instruction.Create(Code.Mov_r64_rm64, R64(Rdi), R64(StateReg)));
        I(Instruction.Create(Code.Mov_r64_rm64, R64(Rsi), R64(Rax)));
        I(Instruction.Create(Code.Mov_r64_imm64, R64(R11), (ulong)_ctx.AccessCheck!.SlowPath.Function));
        I(Instruction.Create(Code.Call_rm64, R64(R11)));
        I(Instruction.Create(Code.Test_rm64_r64, R64(Rax), R64(Rax)));
        I(Instruction.Create(Code.Lea_r64_m, R64(Rsp), new MemoryOperand(R64(Rsp), 8)));
        for (int k = kept.Length - 1; k >= 0; k--) I(Instruction.Create(Code.Pop_r64, R64(kept[k])));
        I(Instruction.Create(Code.Retnq));
    }
}
