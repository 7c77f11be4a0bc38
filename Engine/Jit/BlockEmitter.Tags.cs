using System.Diagnostics.CodeAnalysis;
using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Jit.X64;

namespace Memcheck.Engine.Jit;

/// <summary>
/// Tag loads and stores of a <see cref="WordTagMap"/> done inline (see <see cref="TagMapAccess"/>): memcheck's origin
/// tags, read and written at every guest load and store with --track-origins=yes. Anything the inline code does not
/// cover calls the helper out of line. Scratch registers only: rax, rcx, rdx, r11.
/// </summary>
internal sealed unsafe partial class BlockEmitter
{
    private static bool InlinesTags(in IrStmt s, [NotNullWhen(true)] out TagMapAccess? tags)
    {
        tags = s.Helper!.Tags;
        return tags is not null && s.A.IsNone && s.Args![tags.PrimaryArg].IsConst
            && s.Args[tags.SizeArg] is { IsConst: true } size && TagMapAccess.InlineSize(size.Const);
    }

    private void CallWithTagAccess(in IrStmt s, TagMapAccess tags, bool unused)
    {
        int slow = _a.NewLabel(), back = _a.NewLabel();
        int size = (int)s.Args![tags.SizeArg].Const;
        TagSecondary(s.Args[tags.AddressArg], (nint)s.Args[tags.PrimaryArg].Const, size, slow);
        if (tags.IsStore) StoreTags(s.Args[tags.TagArg], (nint)s.Args[tags.PrimaryArg].Const, size, slow, back);
        else
        {
            LoadTags(size);
            if (!unused)
            {
                int d = DstReg(s.Dst);
                if (d != Rax) I(Instruction.Create(Code.Mov_r32_rm32, R(d, 4), Register.EAX));
                Commit(s.Dst, d);
            }
        }
        _a.Bind(back);
        _outOfLine.Add(OutOfLine.HelperCall(slow, back, _statement, unused, _imark, _instructions));
    }

    /// <summary>
    /// rax = the address, rdx = its chunk's tag secondary, rcx = its word's index there; jumps to <paramref name="slow"/>
    /// for an alignment or a position the inline code does not cover (the words must lie within the chunk).
    /// </summary>
    private void TagSecondary(IrValue address, nint primary, int size, int slow)
    {
        Load(Rax, address);
        if (size > 1)
        {
            I(Instruction.Create(Code.Test_rm8_imm8, Register.AL, Math.Min(size, 4) - 1));
            _a.Jcc(ConditionCode.ne, slow);
        }
        AddressabilityCode.SecondaryOf(_a, Rax, primary, slow);
        I(Instruction.Create(Code.Movzx_r32_rm16, Register.ECX, Register.AX));
        I(Instruction.Create(Code.Shr_rm32_imm8, Register.ECX, 2));
        if (size > 4)
        {
            I(Instruction.Create(Code.Cmp_rm32_imm32, Register.ECX, WordTagMap.WordsPerChunk - size / 4));
            _a.Jcc(ConditionCode.a, slow);
        }
    }

    private static MemoryOperand MaskOf(int word = 0) => new(Register.RDX, Register.RCX, 1, WordTagMap.MasksOffset + word, 1);
    private static MemoryOperand TagOf(int word = 0) => new(Register.RDX, Register.RCX, 4, 4 * word, 1);

    /// <summary>eax = the largest tag of the words read with a marked byte read, or 0.</summary>
    private void LoadTags(int size)
    {
        if (size < 4)
        {
            // The bytes read within their word: the mask shifted down by the address's offset in it.
            I(Instruction.Create(Code.Movzx_r32_rm8, Register.R11D, MaskOf()));
            ByteOffsetInWord();
            I(Instruction.Create(Code.Shr_rm32_CL, Register.R11D, Register.CL));
            I(Instruction.Create(Code.Movzx_r32_rm16, Register.ECX, Register.AX));
            I(Instruction.Create(Code.Shr_rm32_imm8, Register.ECX, 2));
            I(Instruction.Create(Code.Xor_r32_rm32, Register.EAX, Register.EAX));
            I(Instruction.Create(Code.Test_rm32_imm32, Register.R11D, (1 << size) - 1));
            I(Instruction.Create(Code.Cmovne_r32_rm32, Register.EAX, TagOf()));
            return;
        }
        I(Instruction.Create(Code.Xor_r32_rm32, Register.EAX, Register.EAX));
        I(Instruction.Create(Code.Cmp_rm8_imm8, MaskOf(), 0));
        I(Instruction.Create(Code.Cmovne_r32_rm32, Register.EAX, TagOf()));
        for (int word = 1; word < size / 4; word++)
        {
            int skip = _a.NewLabel();
            I(Instruction.Create(Code.Cmp_rm8_imm8, MaskOf(word), 0));
            _a.Jcc(ConditionCode.e, skip);
            I(Instruction.Create(Code.Mov_r32_rm32, Register.R11D, TagOf(word)));
            I(Instruction.Create(Code.Cmp_r32_rm32, Register.R11D, Register.EAX));
            I(Instruction.Create(Code.Cmova_r32_rm32, Register.EAX, Register.R11D));
            _a.Bind(skip);
        }
    }

    /// <summary>
    /// The words written take the tag and their bytes written are marked; tag 0 unmarks them. The shared all-zero
    /// secondary needs nothing for tag 0 and the helper for any other.
    /// </summary>
    private void StoreTags(IrValue tag, nint primary, int size, int slow, int done)
    {
        UnlessOwnTags(tag, primary, R11, slow, done);
        // r11 = the bytes written within their word (sizes 1 and 2); then rcx = the word again.
        if (size < 4)
        {
            ByteOffsetInWord();
            I(Instruction.Create(Code.Mov_r32_imm32, Register.R11D, (1u << size) - 1));
            I(Instruction.Create(Code.Shl_rm32_CL, Register.R11D, Register.CL));
            I(Instruction.Create(Code.Movzx_r32_rm16, Register.ECX, Register.AX));
            I(Instruction.Create(Code.Shr_rm32_imm8, Register.ECX, 2));
        }
        if (tag.IsConst)
        {
            if (tag.Const == 0) UnmarkWords(size);
            else MarkWords(size, -1, (uint)tag.Const);
            return;
        }
        int clear = _a.NewLabel();
        int held = InReg(tag, Rax);
        I(Instruction.Create(Code.Test_rm32_r32, R(held, 4), R(held, 4)));
        _a.Jcc(ConditionCode.e, clear);
        MarkWords(size, held, 0);
        _a.Jump(done);
        _a.Bind(clear);
        UnmarkWords(size);
    }

    /// <summary>
    /// Goes on when the secondary in rdx is the chunk's own. The shared all-zero one needs nothing for a tag of 0 (to
    /// <paramref name="done"/>) and the helper for any other (to <paramref name="slow"/>). Clobbers <paramref name="scratch"/>.
    /// </summary>
    private void UnlessOwnTags(IrValue tag, nint primary, int scratch, int slow, int done)
    {
        int own = _a.NewLabel();
        LoadConst(scratch, (ulong)(primary + WordTagMap.ZeroSecondaryEntry * sizeof(nint)));
        I(Instruction.Create(Code.Cmp_r64_rm64, Register.RDX, new MemoryOperand(R64(scratch))));
        if (tag.IsConst) _a.Jcc(ConditionCode.e, tag.Const == 0 ? done : slow);
        else
        {
            _a.Jcc(ConditionCode.ne, own);
            int reg = InReg(tag, scratch);
            I(Instruction.Create(Code.Test_rm32_r32, R(reg, 4), R(reg, 4)));
            _a.Jcc(ConditionCode.e, done);
            _a.Jump(slow);
        }
        _a.Bind(own);
    }

    /// <summary>The words take the tag (in register <paramref name="tagReg"/>, else <paramref name="tag"/>) and the bytes written are marked.</summary>
    private void MarkWords(int size, int tagReg, uint tag)
    {
        if (size < 4) I(Instruction.Create(Code.Or_rm8_r8, MaskOf(), Register.R11L));
        else SetMasks(size, 0x0F0F_0F0F);
        for (int word = 0; word < Math.Max(size / 4, 1); word++)
            I(tagReg >= 0 ? Instruction.Create(Code.Mov_rm32_r32, TagOf(word), R(tagReg, 4)) : Instruction.Create(Code.Mov_rm32_imm32, TagOf(word), tag));
    }

    /// <summary>The bytes written lose their tags.</summary>
    private void UnmarkWords(int size)
    {
        if (size >= 4)
        {
            SetMasks(size, 0);
            return;
        }
        I(Instruction.Create(Code.Not_rm32, Register.R11D));
        I(Instruction.Create(Code.And_rm8_r8, MaskOf(), Register.R11L));
    }

    /// <summary>The mask bytes of the size / 4 whole words written.</summary>
    private void SetMasks(int size, uint pattern) => I(size switch
    {
        4 => Instruction.Create(Code.Mov_rm8_imm8, MaskOf(), pattern & 0xFF),
        8 => Instruction.Create(Code.Mov_rm16_imm16, MaskOf(), pattern & 0xFFFF),
        _ => Instruction.Create(Code.Mov_rm32_imm32, MaskOf(), pattern),
    });

    /// <summary>ecx = the address's offset in its word (rax holds the address).</summary>
    private void ByteOffsetInWord()
    {
        I(Instruction.Create(Code.Mov_r32_rm32, Register.ECX, Register.EAX));
        I(Instruction.Create(Code.And_rm32_imm32, Register.ECX, 3));
    }

    /// <summary>
    /// The tag part of an inline <see cref="MapFill"/> (an 8-aligned range within one chunk): its words take the tag and
    /// all their bytes are marked, or lose their tags. The shared all-zero secondary needs nothing for the latter and
    /// the helper for the former.
    /// </summary>
    private void FillTags(IrValue address, TagFill tags, int length, int slow)
    {
        int done = _a.NewLabel();
        var tag = tags.TagArg >= 0 ? _sb.Statements[_statement].Args![tags.TagArg] : IrValue.U64(0);
        Load(R11, address);
        AddressabilityCode.SecondaryOf(_a, R11, tags.Primary, slow);
        UnlessOwnTags(tag, tags.Primary, Rcx, slow, done);
        // r11 = the range's first tag, rdx = its first mask byte.
        I(Instruction.Create(Code.Movzx_r32_rm16, Register.ECX, Register.R11W));
        I(Instruction.Create(Code.Lea_r64_m, Register.R11, new MemoryOperand(Register.RDX, Register.RCX, 1)));
        I(Instruction.Create(Code.Shr_rm32_imm8, Register.ECX, 2));
        I(Instruction.Create(Code.Lea_r64_m, Register.RDX, new MemoryOperand(Register.RDX, Register.RCX, 1, WordTagMap.MasksOffset, 1)));
        int clear = _a.NewLabel();
        if (!tag.IsConst)
        {
            int reg = InReg(tag, Rax);
            I(Instruction.Create(Code.Test_rm32_r32, R(reg, 4), R(reg, 4)));
            _a.Jcc(ConditionCode.e, clear);
        }
        if (!tag.IsConst || tag.Const != 0)
        {
            // rax = the tag twice, for two words a store.
            Load(Rax, tag);
            I(Instruction.Create(Code.Mov_r32_rm32, Register.ECX, Register.EAX));
            I(Instruction.Create(Code.Shl_rm64_imm8, Register.RAX, 32));
            I(Instruction.Create(Code.Or_r64_rm64, Register.RAX, Register.RCX));
            for (int offset = 0; offset < length; offset += 8)
                I(Instruction.Create(Code.Mov_rm64_r64, new MemoryOperand(Register.R11, offset), Register.RAX));
            FillMasks(length / 4, 0x0F0F_0F0F_0F0F_0F0FUL);
            _a.Jump(done);
        }
        _a.Bind(clear);
        FillMasks(length / 4, 0);
        _a.Bind(done);
    }

    /// <summary>Sets <paramref name="bytes"/> mask bytes from rdx on to the pattern (2, 4 or a multiple of 8 bytes). Clobbers rcx.</summary>
    private void FillMasks(int bytes, ulong pattern)
    {
        int piece = Math.Min(bytes, 8);
        LoadConst(Rcx, pattern);
        for (int offset = 0; offset < bytes; offset += piece)
            I(Instruction.Create(MovToMemory(piece), new MemoryOperand(Register.RDX, offset), R(Rcx, piece)));
    }

    /// <summary>
    /// A pure one-argument helper's result looked up in its <see cref="ResultCache"/> first: the call is made, out of
    /// line, only when the entry holds another argument or no result.
    /// </summary>
    private void CallWithCache(in IrStmt s, ResultCache cache)
    {
        int slow = _a.NewLabel(), back = _a.NewLabel();
        Load(Rax, s.Args![0]);
        I(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, Register.RAX));
        I(Instruction.Create(Code.Shr_rm64_imm8, Register.RCX, ResultCache.Shift));
        I(Instruction.Create(Code.Xor_r64_rm64, Register.RCX, Register.RAX));
        I(Instruction.Create(Code.And_rm32_imm32, Register.ECX, cache.Entries - 1));
        I(Instruction.Create(Code.Shl_rm32_imm8, Register.ECX, 4));
        LoadConst(Rdx, (ulong)cache.Table);
        I(Instruction.Create(Code.Cmp_r64_rm64, Register.RAX, new MemoryOperand(Register.RDX, Register.RCX, 1)));
        _a.Jcc(ConditionCode.ne, slow);
        I(Instruction.Create(Code.Mov_r64_rm64, Register.RAX, new MemoryOperand(Register.RDX, Register.RCX, 1, 8, 1)));
        I(Instruction.Create(Code.Test_rm64_r64, Register.RAX, Register.RAX));
        _a.Jcc(ConditionCode.e, slow);
        int d = DstReg(s.Dst);
        if (d != Rax) I(Instruction.Create(Code.Mov_r64_rm64, R64(d), Register.RAX));
        Commit(s.Dst, d);
        _a.Bind(back);
        _outOfLine.Add(OutOfLine.HelperCall(slow, back, _statement, unused: false, _imark, _instructions));
    }
}
