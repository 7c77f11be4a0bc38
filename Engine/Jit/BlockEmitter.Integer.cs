using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Jit.X64;

namespace Memcheck.Engine.Jit;

/// <summary>Integer operations on temps in general registers (I1..I64, zero-extended to 64 bits).</summary>
internal sealed unsafe partial class BlockEmitter
{
    private void Unop(in IrStmt s)
    {
        if (IsXmm(s.A) || RegisterAllocator.IsXmmClass(s.Type))
        {
            VectorUnop(s);
            return;
        }
        IrType t = s.Type;
        int d = DstReg(s.Dst);
        int bytes = Bytes(t);
        switch (s.Op)
        {
            case IrOp.Not when t == IrType.I1:
                Load(d, s.A);
                I(Instruction.Create(Code.Xor_rm32_imm32, R(d, 4), 1));
                break;
            case IrOp.Not:
                Load(d, s.A);
                I(Instruction.Create(X64.Not.At(bytes), R(d, bytes)));
                break;
            case IrOp.Neg:
                Load(d, s.A);
                if (t != IrType.I1) I(Instruction.Create(X64.Neg.At(bytes), R(d, bytes)));
                break;
            case IrOp.ZeroExtend or IrOp.Bitcast:
                Load(d, s.A);
                break;
            case IrOp.SignExtend:
                Load(d, s.A);
                SignExtend64(d, s.A.Type);
                Canonical(d, t);
                break;
            case IrOp.Truncate:
                Load(d, s.A);
                Canonical(d, t);
                break;
            case IrOp.HighHalf:
                Load(d, s.A);
                I(Instruction.Create(Code.Shr_rm64_imm8, R64(d), t.Bits()));
                break;
            case IrOp.ByteSwap when t == IrType.I16:
                Load(d, s.A);
                I(Instruction.Create(Code.Rol_rm16_imm8, R(d, 2), 8));
                break;
            case IrOp.ByteSwap:
                Load(d, s.A);
                I(Instruction.Create(t == IrType.I32 ? Code.Bswap_r32 : Code.Bswap_r64, R(d, bytes)));
                break;
            case IrOp.Clz or IrOp.Ctz or IrOp.Popcount:
                BitCount(s, d);
                break;
            default: throw new NotSupportedException($"inline {s}");
        }
        Commit(s.Dst, d);
    }

    /// <summary>lzcnt, tzcnt and popcnt, which give the operand's width for zero as the IR defines; narrow operands are widened.</summary>
    private void BitCount(in IrStmt s, int d)
    {
        IrType arg = s.A.Type;
        int src = InReg(s.A, Rcx);
        switch (s.Op)
        {
            case IrOp.Popcount:
                I(Instruction.Create(arg == IrType.I64 ? Code.Popcnt_r64_rm64 : Code.Popcnt_r32_rm32, R(d, arg == IrType.I64 ? 8 : 4), R(src, arg == IrType.I64 ? 8 : 4)));
                break;
            case IrOp.Clz when arg == IrType.I8:
                I(Instruction.Create(Code.Lzcnt_r32_rm32, R(d, 4), R(src, 4)));
                I(Instruction.Create(Code.Sub_rm32_imm8, R(d, 4), 24));
                break;
            case IrOp.Clz:
                I(Instruction.Create(arg switch { IrType.I16 => Code.Lzcnt_r16_rm16, IrType.I32 => Code.Lzcnt_r32_rm32, _ => Code.Lzcnt_r64_rm64 },
                    R(d, Bytes(arg)), R(src, Bytes(arg))));
                break;
            case IrOp.Ctz when arg == IrType.I8:
                // A bit just above the byte makes a zero byte count 8.
                I(Instruction.Create(Code.Mov_r32_rm32, Register.ECX, R(src, 4)));
                I(Instruction.Create(Code.Or_rm32_imm32, Register.ECX, 0x100));
                I(Instruction.Create(Code.Tzcnt_r32_rm32, R(d, 4), Register.ECX));
                break;
            default:
                I(Instruction.Create(arg switch { IrType.I16 => Code.Tzcnt_r16_rm16, IrType.I32 => Code.Tzcnt_r32_rm32, _ => Code.Tzcnt_r64_rm64 },
                    R(d, Bytes(arg)), R(src, Bytes(arg))));
                break;
        }
        Canonical(d, s.Type);
    }

    private void Binop(in IrStmt s)
    {
        if (IsXmm(s.A) || RegisterAllocator.IsXmmClass(s.Type))
        {
            VectorBinop(s);
            return;
        }
        switch (s.Op)
        {
            case IrOp.Add: Arithmetic(s, X64.Add, commutative: true); break;
            case IrOp.Sub: Arithmetic(s, X64.Sub, commutative: false); break;
            case IrOp.And: Arithmetic(s, X64.And, commutative: true); break;
            case IrOp.Or: Arithmetic(s, X64.Or, commutative: true); break;
            case IrOp.Xor: Arithmetic(s, X64.Xor, commutative: true); break;
            case IrOp.Mul: Multiply(s); break;
            case IrOp.MulHiU or IrOp.MulHiS: MultiplyHigh(s); break;
            case IrOp.Shl or IrOp.Shr or IrOp.Sar or IrOp.Rol or IrOp.Ror: ShiftOp(s); break;
            case IrOp.Concat: Concat(s); break;
            default: Compare(s); break;
        }
    }

    private void Arithmetic(in IrStmt s, Alu op, bool commutative)
    {
        IrValue a = s.A, b = s.B;
        int d = DstReg(s.Dst);
        if (Home(b) == d && Home(a) != d && commutative) (a, b) = (b, a);
        // b would be overwritten by the copy of a: compute in rax instead.
        int work = Home(b) == d && Home(a) != d ? Rax : d;
        Load(work, a);
        AluOp(op, Bytes(s.Type), work, b, Rcx);
        Finish(s.Dst, work, d);
    }

    private void Multiply(in IrStmt s)
    {
        IrValue a = s.A, b = s.B;
        int d = DstReg(s.Dst);
        if (Home(b) == d && Home(a) != d) (a, b) = (b, a);
        Load(d, a);
        // The low bits of a 64-bit product of zero-extended values are the product at any width.
        if (b.IsConst && FitsImmediate(b.Const, 8))
            I(Instruction.Create(Code.Imul_r64_rm64_imm32, R64(d), R64(d), (int)b.Const));
        else if (InSlot(b))
            I(Instruction.Create(Code.Imul_r64_rm64, R64(d), SlotOf(b)));
        else
            I(Instruction.Create(Code.Imul_r64_rm64, R64(d), R64(InReg(b, Rcx))));
        Canonical(d, s.Type);
        Commit(s.Dst, d);
    }

    private void MultiplyHigh(in IrStmt s)
    {
        bool signed = s.Op == IrOp.MulHiS;
        int d = DstReg(s.Dst);
        Load(Rax, s.A);
        if (s.Type == IrType.I64)
        {
            var code = signed ? Code.Imul_rm64 : Code.Mul_rm64;
            if (InSlot(s.B)) I(Instruction.Create(code, SlotOf(s.B)));
            else I(Instruction.Create(code, R64(InReg(s.B, Rcx))));
            I(Instruction.Create(Code.Mov_r64_rm64, R64(d), Register.RDX));
        }
        else
        {
            Load(Rcx, s.B);
            if (signed)
            {
                SignExtend64(Rax, s.Type);
                SignExtend64(Rcx, s.Type);
            }
            I(Instruction.Create(Code.Imul_r64_rm64, Register.RAX, Register.RCX));
            I(Instruction.Create(signed ? Code.Sar_rm64_imm8 : Code.Shr_rm64_imm8, Register.RAX, s.Type.Bits()));
            Canonical(Rax, s.Type);
            I(Instruction.Create(Code.Mov_r64_rm64, R64(d), Register.RAX));
        }
        Commit(s.Dst, d);
    }

    private void ShiftOp(in IrStmt s)
    {
        var op = s.Op switch
        {
            IrOp.Shl => X64.Shl,
            IrOp.Shr => X64.Shr,
            IrOp.Sar => X64.Sar,
            IrOp.Rol => X64.Rol,
            _ => X64.Ror,
        };
        int d = DstReg(s.Dst);
        int bytes = Bytes(s.Type);
        if (s.B.IsConst)
        {
            // Out-of-range constant amounts as IrEvaluator defines them.
            int bits = s.Type.Bits();
            int amount = (int)s.B.Const;
            if (s.Op is IrOp.Shl or IrOp.Shr && amount >= bits) LoadConst(d, 0);
            else
            {
                amount = s.Op switch { IrOp.Sar => Math.Min(amount, bits - 1), IrOp.Rol or IrOp.Ror => amount % bits, _ => amount };
                Load(d, s.A);
                if (amount != 0) I(Instruction.Create(op.ByImm.At(bytes), R(d, bytes), amount));
            }
        }
        else
        {
            Load(Rcx, s.B);
            Load(d, s.A);
            I(Instruction.Create(op.ByCl.At(bytes), R(d, bytes), Register.CL));
        }
        Commit(s.Dst, d);
    }

    private void Concat(in IrStmt s)
    {
        int d = DstReg(s.Dst);
        // The shift would destroy the low half if it shares the result's register.
        int work = Home(s.B) == d ? Rax : d;
        Load(work, s.A);
        I(Instruction.Create(Code.Shl_rm64_imm8, R64(work), s.A.Type.Bits()));
        AluOp(X64.Or, 8, work, s.B, Rcx);
        Finish(s.Dst, work, d);
    }

    private void Compare(in IrStmt s)
    {
        var set = CompareCondition(s.Op) switch
        {
            ConditionCode.e => Code.Sete_rm8,
            ConditionCode.ne => Code.Setne_rm8,
            ConditionCode.b => Code.Setb_rm8,
            ConditionCode.l => Code.Setl_rm8,
            ConditionCode.be => Code.Setbe_rm8,
            _ => Code.Setle_rm8,
        };
        int d = DstReg(s.Dst);
        CompareFlags(s);
        I(Instruction.Create(set, R(d, 1)));
        I(Instruction.Create(Code.Movzx_r32_rm8, R(d, 4), R(d, 1)));
        Commit(s.Dst, d);
    }

    private static ConditionCode CompareCondition(IrOp op) => op switch
    {
        IrOp.CmpEQ => ConditionCode.e,
        IrOp.CmpNE => ConditionCode.ne,
        IrOp.CmpLTU => ConditionCode.b,
        IrOp.CmpLTS => ConditionCode.l,
        IrOp.CmpLEU => ConditionCode.be,
        IrOp.CmpLES => ConditionCode.le,
        _ => throw new NotSupportedException($"no compare {op}"),
    };

    private static ConditionCode NegatedCompareCondition(IrOp op) => op switch
    {
        IrOp.CmpEQ => ConditionCode.ne,
        IrOp.CmpNE => ConditionCode.e,
        IrOp.CmpLTU => ConditionCode.ae,
        IrOp.CmpLTS => ConditionCode.ge,
        IrOp.CmpLEU => ConditionCode.a,
        IrOp.CmpLES => ConditionCode.g,
        _ => throw new NotSupportedException($"no compare {op}"),
    };

    /// <summary>Sets the flags for a compare statement: cmp (or test against zero) at the operands' width.</summary>
    private void CompareFlags(in IrStmt s)
    {
        int bytes = Bytes(s.A.Type);
        int a = InReg(s.A, Rax);
        if (s.B.IsConst && s.B.Const == 0) I(Instruction.Create(TestRmR.At(bytes), R(a, bytes), R(a, bytes)));
        else AluOp(X64.Cmp, bytes, a, s.B, Rcx);
    }

    private void Triop(in IrStmt s)
    {
        switch (s.Op)
        {
            case IrOp.DivFaultsU or IrOp.DivFaultsS: DivisionFaults(s); break;
            case IrOp.QuotU or IrOp.QuotS or IrOp.RemU or IrOp.RemS: Divide(s); break;
            default: VectorTriop(s); break;
        }
    }

    /// <summary>
    /// Leaves in rax the double-width dividend (high, low) of a division narrower than 64 bits, sign- or
    /// zero-extended, and in rcx the divisor, likewise.
    /// </summary>
    private void NarrowDividend(in IrStmt s, bool signed)
    {
        IrType t = s.A.Type;
        Load(Rax, s.A);
        I(Instruction.Create(Code.Shl_rm64_imm8, Register.RAX, t.Bits()));
        Load(Rcx, s.B);
        I(Instruction.Create(Code.Or_r64_rm64, Register.RAX, Register.RCX));
        Load(Rcx, s.C);
        if (!signed) return;
        SignExtend64(Rax, IrTypes.IntOfBytes(2 * Bytes(t)));
        SignExtend64(Rcx, t);
    }

    /// <summary>
    /// Whether the division would raise #DE: a zero divisor, or a quotient too wide for the type. Unsigned: the
    /// high half at least the divisor. Signed (narrower than 64 bits, so the dividend fits a host register): the
    /// 64-bit quotient does not survive sign-extension from the type's width.
    /// </summary>
    private void DivisionFaults(in IrStmt s)
    {
        int d = DstReg(s.Dst);
        if (s.Op == IrOp.DivFaultsU)
        {
            // divisor <= high covers the zero divisor too.
            int bytes = Bytes(s.A.Type);
            Load(Rcx, s.C);
            int high = InReg(s.A, Rax);
            I(Instruction.Create(Cmp.RmR.At(bytes), R(Rcx, bytes), R(high, bytes)));
            I(Instruction.Create(Code.Setbe_rm8, R(d, 1)));
            I(Instruction.Create(Code.Movzx_r32_rm8, R(d, 4), R(d, 1)));
            Commit(s.Dst, d);
            return;
        }
        int faults = _a.NewLabel(), done = _a.NewLabel(), negate = _a.NewLabel();
        NarrowDividend(s, signed: true);
        I(Instruction.Create(Code.Test_rm64_r64, Register.RCX, Register.RCX));
        _a.Jcc(ConditionCode.e, faults);
        I(Instruction.Create(Code.Cmp_rm64_imm32, Register.RCX, -1));
        _a.Jcc(ConditionCode.e, negate);
        I(Instruction.Create(Code.Cqo));
        I(Instruction.Create(Code.Idiv_rm64, Register.RCX));
        int check = _a.NewLabel();
        _a.Bind(check);
        // rax = quotient: it fits when sign-extending its low bits gives it back.
        I(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, Register.RAX));
        SignExtend64(Rcx, s.A.Type);
        I(Instruction.Create(Code.Cmp_r64_rm64, Register.RCX, Register.RAX));
        I(Instruction.Create(Code.Setne_rm8, Register.CL));
        _a.Jump(done);
        _a.Bind(negate);
        I(Instruction.Create(Code.Neg_rm64, Register.RAX));
        _a.Jump(check);
        _a.Bind(faults);
        I(Instruction.Create(Code.Mov_r32_imm32, Register.ECX, 1));
        _a.Bind(done);
        I(Instruction.Create(Code.Movzx_r32_rm8, R(d, 4), Register.CL));
        Commit(s.Dst, d);
    }

    /// <summary>QuotU/QuotS/RemU/RemS of (high, low) by divisor, through a 64- or 128-bit host division.</summary>
    private void Divide(in IrStmt s)
    {
        bool signed = s.Op is IrOp.QuotS or IrOp.RemS;
        bool remainder = s.Op is IrOp.RemU or IrOp.RemS;
        IrType t = s.Type;
        int d = DstReg(s.Dst);
        if (t == IrType.I64)
        {
            Load(Rdx, s.A);
            Load(Rax, s.B);
            Load(Rcx, s.C);
        }
        else
        {
            NarrowDividend(s, signed);
            if (signed) I(Instruction.Create(Code.Cqo));
            else I(Instruction.Create(Code.Xor_r32_rm32, Register.EDX, Register.EDX));
        }
        int guard = _a.NewLabel(), done = _a.NewLabel();
        if (signed)
        {
            // A zero divisor, or -1 dividing the most negative value, would raise #DE in the host.
            I(Instruction.Create(Code.Lea_r64_m, Register.R11, new MemoryOperand(Register.RCX, 1)));
            I(Instruction.Create(Code.Cmp_rm64_imm32, Register.R11, 1));
            _a.Jcc(ConditionCode.be, guard);
            I(Instruction.Create(Code.Idiv_rm64, Register.RCX));
        }
        else
        {
            // Covers a zero divisor and a quotient wider than 64 bits.
            I(Instruction.Create(Code.Cmp_rm64_r64, Register.RDX, Register.RCX));
            _a.Jcc(ConditionCode.ae, guard);
            I(Instruction.Create(Code.Div_rm64, Register.RCX));
        }
        _a.Bind(done);
        _outOfLine.Add(OutOfLine.DivisionGuard(guard, done, signed));
        int result = remainder ? Rdx : Rax;
        Canonical(result, t);
        I(Instruction.Create(Code.Mov_r64_rm64, R64(d), R64(result)));
        Commit(s.Dst, d);
    }

    /// <summary>
    /// Divisors the host division cannot take: -1 (signed; the quotient is the negated dividend, the remainder 0)
    /// and 0, or an overflowing quotient, which the lifter guards with DivFaults first: 0 and 0, as IrEvaluator gives.
    /// </summary>
    private void DivisionGuard(in OutOfLine o)
    {
        _a.Bind(o.Label);
        if (o.Signed)
        {
            int zero = _a.NewLabel();
            I(Instruction.Create(Code.Test_rm64_r64, Register.RCX, Register.RCX));
            _a.Jcc(ConditionCode.e, zero);
            I(Instruction.Create(Code.Neg_rm64, Register.RAX));
            I(Instruction.Create(Code.Xor_r32_rm32, Register.EDX, Register.EDX));
            _a.Jump(o.Back);
            _a.Bind(zero);
        }
        I(Instruction.Create(Code.Xor_r32_rm32, Register.EAX, Register.EAX));
        I(Instruction.Create(Code.Xor_r32_rm32, Register.EDX, Register.EDX));
        _a.Jump(o.Back);
    }
}
