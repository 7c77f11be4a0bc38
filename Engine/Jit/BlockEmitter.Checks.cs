using System.Numerics;
using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Jit.X64;

namespace Memcheck.Engine.Jit;

/// <summary>
/// The check before every guest load and store (the address in rax): against the tool's addressability map
/// when the tool has one, else against the page map. A refused access leaves the block with SigSegv at the
/// current instruction; registers other than the scratch ones (rcx, rdx, r11) are kept either way.
/// </summary>
internal sealed unsafe partial class BlockEmitter
{
    /// <param name="walkInline">
    /// False where the check runs rarely (after a helper's slow case): the shared range routine then walks the map,
    /// which keeps the rare path a few instructions long.
    /// </param>
    private void CheckAccess(int bytes, bool write, bool walkInline = true)
    {
        if (_ctx.AccessCheck != null) CheckAddressable(bytes, write, walkInline);
        else CheckPages(bytes, write);
    }

    /// <summary>
    /// Inside the guest region only the bounds are tested (its first and last byte below the region's end, which
    /// also catches a wrap-around); the MMU refuses what the guest does not own there. Elsewhere, and without a
    /// region, the shared page-map routine decides.
    /// </summary>
    private void CheckPages(int bytes, bool write)
    {
        int fault = _a.NewLabel();
        if (_ctx.GuestRegionEnd == 0)
        {
            PageRoutine(bytes, write, fault);
            _outOfLine.Add(OutOfLine.FaultAt(fault, _imark, _instructions));
            return;
        }
        int outside = _a.NewLabel(), back = _a.NewLabel();
        if (bytes == 1) I(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, Register.RAX));
        else
        {
            I(Instruction.Create(Code.Lea_r64_m, Register.RCX, new MemoryOperand(Register.RAX, bytes - 1)));
            I(Instruction.Create(Code.Or_r64_rm64, Register.RCX, Register.RAX));
        }
        I(Instruction.Create(Code.Shr_rm64_imm8, Register.RCX, BitOperations.Log2(_ctx.GuestRegionEnd)));
        _a.Jcc(ConditionCode.ne, outside);
        _a.Bind(back);
        _outOfLine.Add(OutOfLine.PageCheck(outside, back, bytes, write, fault));
        _outOfLine.Add(OutOfLine.FaultAt(fault, _imark, _instructions));
    }

    /// <summary>Calls the page-map routine for the access at rax; refused goes to <paramref name="fault"/>.</summary>
    private void PageRoutine(int bytes, bool write, int fault)
    {
        I(Instruction.Create(Code.Mov_r32_imm32, Register.R11D, (uint)(bytes - 1)));
        _a.Call((ulong)(write ? _routines.PageWrite : _routines.PageRead));
        _a.Jcc(ConditionCode.e, fault);
    }

    /// <summary>
    /// Naturally aligned accesses of 1, 2, 4, 8, 16 and 32 bytes are checked inline: three loads walk the map, then
    /// one test that no 2-bit field of the covered bytes is 0. Other sizes and alignments go to the shared range
    /// routine, still native. Only a byte not addressable leaves generated code, for the tool's slow path.
    /// </summary>
    private void CheckAddressable(int bytes, bool write, bool walkInline)
    {
        int general = _a.NewLabel(), slow = _a.NewLabel(), back = _a.NewLabel(), fault = _a.NewLabel();
        bool inline = walkInline && bytes is 1 or 2 or 4 or 8 or 16 or 32;
        if (inline)
        {
            if (bytes > 1)
            {
                I(Instruction.Create(Code.Test_rm8_imm8, Register.AL, bytes - 1));
                _a.Jcc(ConditionCode.ne, general);
            }
            AddressabilityCode.SecondaryOf(_a, Rax, _ctx.AccessCheck!.Primary, slow);
            // rdx = the chunk's secondary, rcx = the byte of it holding the first accessed byte's field.
            I(Instruction.Create(Code.Movzx_r32_rm16, Register.ECX, Register.AX));
            I(Instruction.Create(Code.Shr_rm32_imm8, Register.ECX, 2));
            var fields = new MemoryOperand(Register.RDX, Register.RCX, 1);
            switch (bytes)
            {
                case 1:
                    I(Instruction.Create(Code.Movzx_r32_rm8, Register.R11D, fields));
                    AddressabilityCode.ShiftToField(_a, Rax);
                    I(Instruction.Create(Code.Test_rm32_imm32, Register.R11D, 3));
                    _a.Jcc(ConditionCode.e, slow);
                    break;
                case 2:
                    I(Instruction.Create(Code.Movzx_r32_rm8, Register.R11D, fields));
                    AddressabilityCode.ShiftToField(_a, Rax);
                    NoFieldZero(0x5, slow);
                    break;
                case 4:
                    AllDefinedOr(Instruction.Create(Code.Cmp_rm8_imm8, fields, 0xAA), back);
                    I(Instruction.Create(Code.Movzx_r32_rm8, Register.R11D, fields));
                    NoFieldZero(0x55, slow);
                    break;
                case 8:
                    AllDefinedOr(Instruction.Create(Code.Cmp_rm16_imm16, fields, 0xAAAA), back);
                    I(Instruction.Create(Code.Movzx_r32_rm16, Register.R11D, fields));
                    NoFieldZero(0x5555, slow);
                    break;
                case 16:
                    AllDefinedOr(Instruction.Create(Code.Cmp_rm32_imm32, fields, unchecked((int)0xAAAAAAAA)), back);
                    I(Instruction.Create(Code.Mov_r32_rm32, Register.R11D, fields));
                    NoFieldZero(0x55555555, slow);
                    break;
                default:
                    // 64 bits of fields: the all-defined pattern does not fit an immediate, so it goes through rcx.
                    I(Instruction.Create(Code.Mov_r64_rm64, Register.R11, fields));
                    LoadConst(Rcx, 0xAAAA_AAAA_AAAA_AAAA);
                    AllDefinedOr(Instruction.Create(Code.Cmp_r64_rm64, Register.R11, Register.RCX), back);
                    NoFieldZero(0x5555_5555_5555_5555, slow);
                    break;
            }
        }
        else
        {
            I(Instruction.Create(Code.Mov_r32_imm32, Register.R11D, (uint)bytes));
            _a.Call((ulong)_routines.AddressableRange);
            _a.Jcc(ConditionCode.e, slow);
        }
        _a.Bind(back);
        _outOfLine.Add(OutOfLine.AccessCheck(slow, back, _imark, bytes, write, inline ? general : -1, fault));
        _outOfLine.Add(OutOfLine.FaultAt(fault, _imark, _instructions));
    }

    /// <summary>The out-of-line part of <see cref="CheckAddressable"/>: the unaligned case and the tool's slow path.</summary>
    private void AccessCheckSlowPath(in OutOfLine o)
    {
        if (o.General >= 0)
        {
            _a.Bind(o.General);
            I(Instruction.Create(Code.Mov_r32_imm32, Register.R11D, (uint)o.Bytes));
            _a.Call((ulong)_routines.AddressableRange);
            _a.Jcc(ConditionCode.ne, o.Back);
        }
        _a.Bind(o.Label);
        LoadConst(R11, o.Address);
        I(Instruction.Create(Code.Mov_r32_imm32, Register.EDX, (uint)o.Bytes));
        I(Instruction.Create(Code.Mov_r32_imm32, Register.ECX, o.Write ? 1u : 0u));
        _a.Call((ulong)_routines.SlowPath);
        _a.Jcc(ConditionCode.e, o.Back);
        _a.Jump(o.Fault);
    }

    /// <summary>
    /// Jumps to <paramref name="addressable"/> when the fields are memcheck's all-defined pattern (2 = defined,
    /// the common case of data being read): one compare instead of the field test.
    /// </summary>
    private void AllDefinedOr(in Instruction compare, int addressable)
    {
        I(compare);
        _a.Jcc(ConditionCode.e, addressable);
    }

    /// <summary>
    /// Jumps to <paramref name="slow"/> unless every 2-bit field of r11 that <paramref name="lowBits"/> marks
    /// (by its low bit) is non-zero: (r11 | r11 &gt;&gt; 1) must have all those bits set. Clobbers rcx, and rdx when
    /// the fields are 64 bits.
    /// </summary>
    private void NoFieldZero(ulong lowBits, int slow)
    {
        int bytes = lowBits > uint.MaxValue ? 8 : 4;
        I(Instruction.Create(MovRmR.At(bytes), R(Rcx, bytes), R(R11, bytes)));
        I(Instruction.Create(Shr.ByImm.At(bytes), R(Rcx, bytes), 1));
        I(Instruction.Create(Or.RmR.At(bytes), R(Rcx, bytes), R(R11, bytes)));
        I(Instruction.Create(Not.At(bytes), R(Rcx, bytes)));
        if (bytes == 8)
        {
            LoadConst(Rdx, lowBits);
            I(Instruction.Create(Code.Test_rm64_r64, Register.RCX, Register.RDX));
        }
        else I(Instruction.Create(Code.Test_rm32_imm32, Register.ECX, (uint)lowBits));
        _a.Jcc(ConditionCode.ne, slow);
    }
}
