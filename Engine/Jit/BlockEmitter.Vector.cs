using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Jit.X64;

namespace Memcheck.Engine.Jit;

/// <summary>
/// Operations on temps in xmm registers (F32, F64, V128, I128), and the moves between them and general ones.
/// A scalar float uses the low lane; what the lanes above it hold is never read.
/// </summary>
internal sealed unsafe partial class BlockEmitter
{
    private const ulong F64Sign = 1UL << 63, F32Sign = 1UL << 31;

    private int XHome(IrValue v) => IsXmm(v) ? Home(v) : -1;

    /// <summary>
    /// dst = a OP b with one two-operand SSE instruction (and an immediate when given). The result is computed in
    /// dst's register unless b lives there (then in xmm14), a is copied in first, b is used from its register.
    /// </summary>
    private void SseBinary(Code code, in IrStmt s, bool commutative, int immediate = -1) =>
        SseBinary(code, s.Dst, s.A, s.B, commutative, immediate);

    private void SseBinary(Code code, int dst, IrValue a, IrValue b, bool commutative, int immediate)
    {
        int d = DstX(dst);
        if (commutative && XHome(b) == d && XHome(a) != d) (a, b) = (b, a);
        int work = XHome(b) == d && XHome(a) != d ? XA : d;
        LoadX(work, a);
        int rb = InX(b, XB);
        I(immediate < 0 ? Instruction.Create(code, X(work), X(rb)) : Instruction.Create(code, X(work), X(rb), immediate));
        MovX(d, work);
        CommitX(dst, d);
    }

    /// <summary>dst = OP(a) with an instruction that reads only its source (and an immediate when given).</summary>
    private void SseUnary(Code code, in IrStmt s, int immediate = -1)
    {
        int d = DstX(s.Dst);
        int ra = InX(s.A, XB);
        I(immediate < 0 ? Instruction.Create(code, X(d), X(ra)) : Instruction.Create(code, X(d), X(ra), immediate));
        CommitX(s.Dst, d);
    }

    /// <summary>dst's register holding a copy of a, for an instruction that works in place.</summary>
    private int CopyToDst(in IrStmt s)
    {
        int d = DstX(s.Dst);
        LoadX(d, s.A);
        return d;
    }

    private void VectorUnop(in IrStmt s)
    {
        IrType t = s.Type, arg = s.A.Type;
        switch (s.Op)
        {
            case IrOp.Not:
            {
                int d = CopyToDst(s);
                I(Instruction.Create(Code.Pcmpeqd_xmm_xmmm128, X(XB), X(XB)));
                I(Instruction.Create(Code.Pxor_xmm_xmmm128, X(d), X(XB)));
                CommitX(s.Dst, d);
                return;
            }
            case IrOp.ZeroExtend:
            {
                int d = DstX(s.Dst);
                LoadX(d, s.A);
                CommitX(s.Dst, d);
                return;
            }
            case IrOp.SignExtend:
            {
                int d = DstX(s.Dst);
                Load(Rax, s.A);
                SignExtend64(Rax, arg);
                I(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, Register.RAX));
                I(Instruction.Create(Code.Sar_rm64_imm8, Register.RCX, 63));
                I(Instruction.Create(Code.Movq_xmm_rm64, X(d), Register.RAX));
                I(Instruction.Create(Code.Movq_xmm_rm64, X(XB), Register.RCX));
                I(Instruction.Create(Code.Punpcklqdq_xmm_xmmm128, X(d), X(XB)));
                CommitX(s.Dst, d);
                return;
            }
            case IrOp.Truncate:
            {
                int d = DstReg(s.Dst);
                I(Instruction.Create(Code.Movq_rm64_xmm, R64(d), X(InX(s.A, XA))));
                Canonical(d, t);
                Commit(s.Dst, d);
                return;
            }
            case IrOp.HighHalf:
            {
                int d = DstReg(s.Dst);
                I(Instruction.Create(Code.Pshufd_xmm_xmmm128_imm8, X(XB), X(InX(s.A, XA)), 0xEE));
                I(Instruction.Create(Code.Movq_rm64_xmm, R64(d), X(XB)));
                Commit(s.Dst, d);
                return;
            }
            case IrOp.Bitcast:
                Bitcast(s);
                return;
            case IrOp.FNeg or IrOp.FAbs:
            {
                ulong sign = t == IrType.F64 ? F64Sign : F32Sign;
                int d = CopyToDst(s);
                var mask = s.Op == IrOp.FNeg ? Constant(sign, 0) : Constant(~sign & (t == IrType.F64 ? ulong.MaxValue : 0xFFFF_FFFF), 0);
                _a.EmitRipRelative(Instruction.Create(s.Op == IrOp.FNeg ? Code.Xorps_xmm_xmmm128 : Code.Andps_xmm_xmmm128,
                    X(d), new MemoryOperand(Register.RIP, 0L)), mask);
                CommitX(s.Dst, d);
                return;
            }
            case IrOp.FSqrt:
                SseUnary(t == IrType.F64 ? Code.Sqrtsd_xmm_xmmm64 : Code.Sqrtss_xmm_xmmm32, s);
                return;
            case IrOp.FConvert:
                SseUnary(t == IrType.F64 ? Code.Cvtss2sd_xmm_xmmm32 : Code.Cvtsd2ss_xmm_xmmm64, s);
                return;
            case IrOp.SIntToF:
            {
                int d = DstX(s.Dst);
                Load(Rax, s.A);
                if (arg is IrType.I8 or IrType.I16) SignExtend64(Rax, arg);
                bool wide = arg == IrType.I64;
                // Clearing the destination first breaks the conversion's dependency on its old value.
                I(Instruction.Create(Code.Xorps_xmm_xmmm128, X(d), X(d)));
                I(Instruction.Create((t == IrType.F64, wide) switch
                {
                    (true, true) => Code.Cvtsi2sd_xmm_rm64,
                    (true, false) => Code.Cvtsi2sd_xmm_rm32,
                    (false, true) => Code.Cvtsi2ss_xmm_rm64,
                    _ => Code.Cvtsi2ss_xmm_rm32,
                }, X(d), wide ? Register.RAX : Register.EAX));
                CommitX(s.Dst, d);
                return;
            }
            case IrOp.FToSIntTrunc or IrOp.FToSIntRound:
            {
                int d = DstReg(s.Dst);
                bool truncate = s.Op == IrOp.FToSIntTrunc, to64 = t == IrType.I64;
                var code = (arg == IrType.F64, truncate, to64) switch
                {
                    (true, true, true) => Code.Cvttsd2si_r64_xmmm64,
                    (true, true, false) => Code.Cvttsd2si_r32_xmmm64,
                    (true, false, true) => Code.Cvtsd2si_r64_xmmm64,
                    (true, false, false) => Code.Cvtsd2si_r32_xmmm64,
                    (false, true, true) => Code.Cvttss2si_r64_xmmm32,
                    (false, true, false) => Code.Cvttss2si_r32_xmmm32,
                    (false, false, true) => Code.Cvtss2si_r64_xmmm32,
                    _ => Code.Cvtss2si_r32_xmmm32,
                };
                I(Instruction.Create(code, R(d, to64 ? 8 : 4), X(InX(s.A, XA))));
                Commit(s.Dst, d);
                return;
            }
            case IrOp.VMoveMask:
            {
                int d = DstReg(s.Dst);
                var code = s.Lane switch
                {
                    IrType.I8 => Code.Pmovmskb_r32_xmm,
                    IrType.I32 or IrType.F32 => Code.Movmskps_r32_xmm,
                    _ => Code.Movmskpd_r32_xmm,
                };
                I(Instruction.Create(code, R(d, 4), X(InX(s.A, XA))));
                Commit(s.Dst, d);
                return;
            }
            case IrOp.VSplat:
                Splat(s);
                return;
            default:
                throw new NotSupportedException($"inline {s}");
        }
    }

    private void Bitcast(in IrStmt s)
    {
        IrType t = s.Type;
        if (RegisterAllocator.IsXmmClass(t))
        {
            // From a general register: movq of the zero-extended integer puts the bits in the low lane.
            int d = DstX(s.Dst);
            LoadX(d, s.A);
            CommitX(s.Dst, d);
        }
        else
        {
            int d = DstReg(s.Dst);
            int x = InX(s.A, XA);
            I(t == IrType.I64 ? Instruction.Create(Code.Movq_rm64_xmm, R64(d), X(x)) : Instruction.Create(Code.Movd_rm32_xmm, R(d, 4), X(x)));
            Commit(s.Dst, d);
        }
    }

    /// <summary>The scalar's low lane-width bits in every lane.</summary>
    private void Splat(in IrStmt s)
    {
        IrType lane = s.Lane == IrType.None ? s.A.Type : s.Lane;
        int d = CopyToDst(s);
        switch (lane.Bits())
        {
            case 8:
                I(Instruction.Create(Code.Punpcklbw_xmm_xmmm128, X(d), X(d)));
                I(Instruction.Create(Code.Punpcklwd_xmm_xmmm128, X(d), X(d)));
                I(Instruction.Create(Code.Pshufd_xmm_xmmm128_imm8, X(d), X(d), 0));
                break;
            case 16:
                I(Instruction.Create(Code.Punpcklwd_xmm_xmmm128, X(d), X(d)));
                I(Instruction.Create(Code.Pshufd_xmm_xmmm128_imm8, X(d), X(d), 0));
                break;
            case 32:
                I(Instruction.Create(Code.Pshufd_xmm_xmmm128_imm8, X(d), X(d), 0));
                break;
            default:
                I(Instruction.Create(Code.Punpcklqdq_xmm_xmmm128, X(d), X(d)));
                break;
        }
        CommitX(s.Dst, d);
    }

    private void VectorBinop(in IrStmt s)
    {
        IrType t = s.Type;
        switch (s.Op)
        {
            case IrOp.FAdd or IrOp.FSub or IrOp.FMul or IrOp.FDiv or IrOp.FMin or IrOp.FMax:
                SseBinary(InlineForms.Scalar(s.Op, t), s, commutative: s.Op is IrOp.FAdd or IrOp.FMul);
                return;
            case IrOp.FCmpFlags:
            {
                // ucomis* sets ZF, PF and CF and clears the rest; lahf copies them to ah in their RFLAGS positions.
                int d = DstReg(s.Dst);
                int ra = InX(s.A, XA), rb = InX(s.B, XB);
                I(Instruction.Create(s.A.Type == IrType.F64 ? Code.Ucomisd_xmm_xmmm64 : Code.Ucomiss_xmm_xmmm32, X(ra), X(rb)));
                I(Instruction.Create(Code.Lahf));
                I(Instruction.Create(Code.Movzx_r32_rm8, Register.ECX, Register.AH));
                I(Instruction.Create(Code.And_rm32_imm32, Register.ECX, 0x45));
                I(Instruction.Create(Code.Mov_r32_rm32, R(d, 4), Register.ECX));
                Commit(s.Dst, d);
                return;
            }
            case IrOp.FRoundInt:
                SseUnary(t == IrType.F64 ? Code.Roundsd_xmm_xmmm64_imm8 : Code.Roundss_xmm_xmmm32_imm8, s, (int)(s.B.Const & 3));
                return;
            case IrOp.VExtractLane:
                ExtractLane(s);
                return;
            case IrOp.VShiftBytesLeft or IrOp.VShiftBytesRight:
            {
                int d = CopyToDst(s);
                I(Instruction.Create(s.Op == IrOp.VShiftBytesLeft ? Code.Pslldq_xmm_imm8 : Code.Psrldq_xmm_imm8, X(d), (int)Math.Min(s.B.Const, 16)));
                CommitX(s.Dst, d);
                return;
            }
            case IrOp.Concat:
            {
                int d = DstX(s.Dst);
                LoadX(d, s.B);
                if (!s.A.IsConst || s.A.Const != 0)
                {
                    LoadX(XB, s.A);
                    I(Instruction.Create(Code.Punpcklqdq_xmm_xmmm128, X(d), X(XB)));
                }
                CommitX(s.Dst, d);
                return;
            }
            default:
                SseBinary(InlineForms.Vector(s.Op, s.Lane, s.B.Type), s, InlineForms.IsCommutative(s.Op));
                return;
        }
    }

    private void ExtractLane(in IrStmt s)
    {
        int index = (int)s.B.Const;
        int bits = s.Lane.Bits();
        if (RegisterAllocator.IsXmmClass(s.Type))
        {
            int d = DstX(s.Dst);
            int x = InX(s.A, XA);
            // pshufd brings dword (or qword) `index` to the bottom.
            if (index == 0) MovX(d, x);
            else I(Instruction.Create(Code.Pshufd_xmm_xmmm128_imm8, X(d), X(x), bits == 64 ? 0xEE : index));
            CommitX(s.Dst, d);
            return;
        }
        int r = DstReg(s.Dst);
        int src = InX(s.A, XA);
        if (index == 0)
        {
            I(Instruction.Create(Code.Movq_rm64_xmm, R64(r), X(src)));
            Canonical(r, s.Type);
        }
        else I(bits switch
        {
            8 => Instruction.Create(Code.Pextrb_r32m8_xmm_imm8, R(r, 4), X(src), index),
            16 => Instruction.Create(Code.Pextrw_r32_xmm_imm8, R(r, 4), X(src), index),
            32 => Instruction.Create(Code.Pextrd_rm32_xmm_imm8, R(r, 4), X(src), index),
            _ => Instruction.Create(Code.Pextrq_rm64_xmm_imm8, R64(r), X(src), index),
        });
        Commit(s.Dst, r);
    }

    private void VectorTriop(in IrStmt s)
    {
        switch (s.Op)
        {
            case IrOp.VInsertLane:
                InsertLane(s);
                return;
            case IrOp.VFCmp:
                SseBinary(s.Lane == IrType.F64 ? Code.Cmppd_xmm_xmmm128_imm8 : Code.Cmpps_xmm_xmmm128_imm8, s.Dst, s.A, s.B,
                    commutative: false, (int)(s.C.Const & 7));
                return;
            case IrOp.VShuffle:
                Shuffle(s);
                return;
            default:
                throw new NotSupportedException($"inline {s}");
        }
    }

    private void Shuffle(in IrStmt s)
    {
        int control = (int)s.C.Const;
        switch (s.Lane)
        {
            case IrType.F32:
                SseBinary(Code.Shufps_xmm_xmmm128_imm8, s.Dst, s.A, s.B, commutative: false, control & 0xFF);
                return;
            case IrType.F64:
                SseBinary(Code.Shufpd_xmm_xmmm128_imm8, s.Dst, s.A, s.B, commutative: false, control & 3);
                return;
            case IrType.I32:
                SseUnary(Code.Pshufd_xmm_xmmm128_imm8, s, control & 0xFF);
                return;
            default:
                SseUnary((control & 0x100) == 0 ? Code.Pshuflw_xmm_xmmm128_imm8 : Code.Pshufhw_xmm_xmmm128_imm8, s, control & 0xFF);
                return;
        }
    }

    /// <summary>The vector with one lane replaced by the scalar's low bits.</summary>
    private void InsertLane(in IrStmt s)
    {
        int index = (int)s.B.Const;
        int bits = s.Lane.Bits();
        int d = DstX(s.Dst);
        if (IsXmm(s.C))
        {
            int work = XHome(s.C) == d && XHome(s.A) != d ? XA : d;
            LoadX(work, s.A);
            int c = InX(s.C, XB);
            I(bits == 64
                ? Instruction.Create(index == 0 ? Code.Movsd_xmm_xmmm64 : Code.Movlhps_xmm_xmm, X(work), X(c))
                : Instruction.Create(Code.Insertps_xmm_xmmm32_imm8, X(work), X(c), index << 4));
            MovX(d, work);
        }
        else
        {
            int c = InReg(s.C, Rcx);
            LoadX(d, s.A);
            I(bits switch
            {
                8 => Instruction.Create(Code.Pinsrb_xmm_r32m8_imm8, X(d), R(c, 4), index),
                16 => Instruction.Create(Code.Pinsrw_xmm_r32m16_imm8, X(d), R(c, 4), index),
                32 => Instruction.Create(Code.Pinsrd_xmm_rm32_imm8, X(d), R(c, 4), index),
                _ => Instruction.Create(Code.Pinsrq_xmm_rm64_imm8, X(d), R64(c), index),
            });
        }
        CommitX(s.Dst, d);
    }
}
