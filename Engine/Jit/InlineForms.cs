using X86 = System.Runtime.Intrinsics.X86;
using Iced.Intel;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Jit;

/// <summary>
/// Which operations the backend emits inline, and the host instruction of those that are exactly one SSE
/// instruction (the IR models them on SSE, NaN rules included). Everything else is a call to the evaluator,
/// which also tells the register allocator where caller-saved registers die. Forms from SSE4.1/4.2, LZCNT,
/// BMI1 and POPCNT are used only where the host has them.
/// </summary>
internal static class InlineForms
{
    private static readonly bool HasSse41 = X86.Sse41.IsSupported, HasSse42 = X86.Sse42.IsSupported;
    private static readonly bool HasLzcnt = X86.Lzcnt.IsSupported, HasTzcnt = X86.Bmi1.IsSupported, HasPopcnt = X86.Popcnt.IsSupported;

    public static bool IsNarrowInt(IrType t) => t is >= IrType.I1 and <= IrType.I64;

    /// <summary>Statements that call out of generated code, clobbering the caller-saved registers.</summary>
    public static bool CallsOut(IrStmt s) => s.Kind == StmtKind.Call || !Covers(s);

    public static bool Covers(in IrStmt s) => s.Kind switch
    {
        StmtKind.Unop => Unop(s.Op, s.Type, s.A.Type, s.Lane),
        StmtKind.Binop => Binop(s),
        StmtKind.Triop => Triop(s),
        _ => true,
    };

    private static bool Unop(IrOp op, IrType result, IrType arg, IrType lane) => op switch
    {
        IrOp.Not => result == arg && (IsNarrowInt(result) || result.IsWide()),
        IrOp.Neg => IsNarrowInt(result) && arg == result,
        IrOp.ZeroExtend => IsNarrowInt(arg) && (IsNarrowInt(result) ? result.Bits() >= arg.Bits() : result.IsWide()),
        IrOp.SignExtend => IsNarrowInt(arg) && (IsNarrowInt(result) ? result.Bits() >= arg.Bits() : result == IrType.I128),
        IrOp.Truncate => IsNarrowInt(result) && (IsNarrowInt(arg) ? arg.Bits() >= result.Bits() : arg.IsWide()),
        IrOp.HighHalf => IsNarrowInt(result) && result != IrType.I1
            && (arg.IsWide() ? result == IrType.I64 : IsNarrowInt(arg) && arg.Bits() == 2 * result.Bits()),
        IrOp.ByteSwap => result is IrType.I16 or IrType.I32 or IrType.I64 && arg == result,
        IrOp.Bitcast => result != IrType.I1 && arg != IrType.I1 && result.Bits() == arg.Bits(),
        IrOp.Clz => HasLzcnt && IsNarrowInt(arg) && arg != IrType.I1 && IsNarrowInt(result),
        IrOp.Ctz => HasTzcnt && IsNarrowInt(arg) && arg != IrType.I1 && IsNarrowInt(result),
        IrOp.Popcount => HasPopcnt && IsNarrowInt(arg) && IsNarrowInt(result),
        IrOp.FNeg or IrOp.FAbs or IrOp.FSqrt => result is IrType.F32 or IrType.F64 && arg == result,
        IrOp.FConvert => result is IrType.F32 or IrType.F64 && arg is IrType.F32 or IrType.F64 && arg != result,
        IrOp.SIntToF => result is IrType.F32 or IrType.F64 && arg is >= IrType.I8 and <= IrType.I64,
        IrOp.FToSIntTrunc or IrOp.FToSIntRound => result is IrType.I32 or IrType.I64 && arg is IrType.F32 or IrType.F64,
        IrOp.VMoveMask => result == IrType.I32 && arg == IrType.V128 && lane is IrType.I8 or IrType.I32 or IrType.F32 or IrType.I64 or IrType.F64,
        IrOp.VSplat => result == IrType.V128 && SplatLane(lane == IrType.None ? arg : lane) is { } l && l.Bits() <= arg.Bits(),
        _ => false,
    };

    private static IrType? SplatLane(IrType lane) => lane is >= IrType.I8 and <= IrType.I64 or IrType.F32 or IrType.F64 ? lane : null;

    private static bool Binop(in IrStmt s)
    {
        IrType result = s.Type, a = s.A.Type, b = s.B.Type;
        switch (s.Op)
        {
            case IrOp.And or IrOp.Or or IrOp.Xor:
                return a == result && b == result && (IsNarrowInt(result) || result.IsWide());
            case IrOp.Add or IrOp.Sub or IrOp.Mul or IrOp.MulHiU or IrOp.MulHiS:
                return result is >= IrType.I8 and <= IrType.I64 && a == result && b == result;
            case IrOp.Shl or IrOp.Shr or IrOp.Sar or IrOp.Rol or IrOp.Ror:
                return result is >= IrType.I8 and <= IrType.I64 && a == result && b == IrType.I8;
            case IrOp.CmpEQ or IrOp.CmpNE or IrOp.CmpLTU or IrOp.CmpLEU:
                return result == IrType.I1 && IsNarrowInt(a) && b == a;
            case IrOp.CmpLTS or IrOp.CmpLES:
                // A 1-bit signed value is 0 or -1; rare enough to leave to the evaluator.
                return result == IrType.I1 && IsNarrowInt(a) && a != IrType.I1 && b == a;
            case IrOp.Concat:
                return a == b && (result is IrType.I16 or IrType.I32 or IrType.I64 && a.Bits() * 2 == result.Bits()
                    || result.IsWide() && a == IrType.I64);
            case IrOp.FAdd or IrOp.FSub or IrOp.FMul or IrOp.FDiv or IrOp.FMin or IrOp.FMax:
                return result is IrType.F32 or IrType.F64 && a == result && b == result;
            case IrOp.FCmpFlags:
                return result == IrType.I32 && a is IrType.F32 or IrType.F64 && b == a;
            case IrOp.FRoundInt:
                return HasSse41 && result is IrType.F32 or IrType.F64 && a == result && s.B.IsConst;
            case IrOp.VExtractLane:
                return a == IrType.V128 && s.B.IsConst && ExtractLane(s) ;
            case IrOp.VShiftBytesLeft or IrOp.VShiftBytesRight:
                return result == IrType.V128 && a == IrType.V128 && s.B.IsConst;
            default:
                return result == IrType.V128 && a == IrType.V128 && Vector(s.Op, s.Lane, b) != Code.INVALID;
        }
    }

    /// <summary>A constant-index lane read whose result has the lane's width (floats stay in xmm, integers go to a register).</summary>
    private static bool ExtractLane(in IrStmt s)
    {
        int bits = s.Lane.Bits();
        if (bits is not (8 or 16 or 32 or 64) || s.B.Const >= (ulong)(128 / bits) || s.Type.Bits() != bits) return false;
        return s.Type is IrType.F32 or IrType.F64 || HasSse41 || s.B.Const == 0;
    }

    private static bool Triop(in IrStmt s)
    {
        IrType t = s.Type;
        switch (s.Op)
        {
            // A signed 64-bit division can overflow in ways only a 128-bit check catches: left to the evaluator.
            case IrOp.QuotU or IrOp.RemU or IrOp.DivFaultsU:
                return (s.Op == IrOp.DivFaultsU ? t == IrType.I1 : t == s.A.Type) && s.A.Type is >= IrType.I8 and <= IrType.I64
                    && s.B.Type == s.A.Type && s.C.Type == s.A.Type;
            case IrOp.QuotS or IrOp.RemS or IrOp.DivFaultsS:
                return (s.Op == IrOp.DivFaultsS ? t == IrType.I1 : t == s.A.Type) && s.A.Type is >= IrType.I8 and <= IrType.I32
                    && s.B.Type == s.A.Type && s.C.Type == s.A.Type;
            case IrOp.VInsertLane:
            {
                if (t != IrType.V128 || s.A.Type != IrType.V128 || !s.B.IsConst) return false;
                int bits = s.Lane.Bits();
                if (bits is not (8 or 16 or 32 or 64) || s.B.Const >= (ulong)(128 / bits)) return false;
                return s.C.Type is IrType.F32 or IrType.F64 ? s.C.Type.Bits() == bits && (bits == 64 || HasSse41)
                    : IsNarrowInt(s.C.Type) && s.C.Type.Bits() >= bits && (bits == 16 || HasSse41);
            }
            case IrOp.VFCmp:
                return t == IrType.V128 && s.Lane is IrType.F32 or IrType.F64 && s.C.IsConst;
            case IrOp.VShuffle:
                return t == IrType.V128 && s.Lane is IrType.F32 or IrType.F64 or IrType.I32 or IrType.I16 && s.C.IsConst;
            default:
                return false;
        }
    }

    /// <summary>Scalar float binops: addsd and its kind.</summary>
    public static Code Scalar(IrOp op, IrType type) => (op, type == IrType.F64) switch
    {
        (IrOp.FAdd, true) => Code.Addsd_xmm_xmmm64,
        (IrOp.FSub, true) => Code.Subsd_xmm_xmmm64,
        (IrOp.FMul, true) => Code.Mulsd_xmm_xmmm64,
        (IrOp.FDiv, true) => Code.Divsd_xmm_xmmm64,
        (IrOp.FMin, true) => Code.Minsd_xmm_xmmm64,
        (IrOp.FMax, true) => Code.Maxsd_xmm_xmmm64,
        (IrOp.FAdd, false) => Code.Addss_xmm_xmmm32,
        (IrOp.FSub, false) => Code.Subss_xmm_xmmm32,
        (IrOp.FMul, false) => Code.Mulss_xmm_xmmm32,
        (IrOp.FDiv, false) => Code.Divss_xmm_xmmm32,
        (IrOp.FMin, false) => Code.Minss_xmm_xmmm32,
        (IrOp.FMax, false) => Code.Maxss_xmm_xmmm32,
        _ => Code.INVALID,
    };

    public static bool IsCommutative(IrOp op) => op is IrOp.And or IrOp.Or or IrOp.Xor or IrOp.VAdd or IrOp.VAddSatU or IrOp.VAddSatS
        or IrOp.VMul or IrOp.VMulHiU or IrOp.VMulHiS or IrOp.VCmpEQ or IrOp.VMinU or IrOp.VMinS or IrOp.VMaxU or IrOp.VMaxS or IrOp.VAvgU;

    /// <summary>V128 binops; shifts take their I8 count zero-extended in the low qword of the second operand, as psll*/psrl*/psra* do.</summary>
    public static Code Vector(IrOp op, IrType lane, IrType b)
    {
        if (op is IrOp.VShl or IrOp.VShr or IrOp.VSar)
            return b != IrType.I8 ? Code.INVALID : (op, lane) switch
            {
                (IrOp.VShl, IrType.I16) => Code.Psllw_xmm_xmmm128,
                (IrOp.VShl, IrType.I32) => Code.Pslld_xmm_xmmm128,
                (IrOp.VShl, IrType.I64) => Code.Psllq_xmm_xmmm128,
                (IrOp.VShr, IrType.I16) => Code.Psrlw_xmm_xmmm128,
                (IrOp.VShr, IrType.I32) => Code.Psrld_xmm_xmmm128,
                (IrOp.VShr, IrType.I64) => Code.Psrlq_xmm_xmmm128,
                (IrOp.VSar, IrType.I16) => Code.Psraw_xmm_xmmm128,
                (IrOp.VSar, IrType.I32) => Code.Psrad_xmm_xmmm128,
                _ => Code.INVALID,
            };
        if (b != IrType.V128) return Code.INVALID;
        var code = (op, lane) switch
        {
            (IrOp.And, _) => Code.Pand_xmm_xmmm128,
            (IrOp.Or, _) => Code.Por_xmm_xmmm128,
            (IrOp.Xor, _) => Code.Pxor_xmm_xmmm128,
            (IrOp.VAdd, IrType.I8) => Code.Paddb_xmm_xmmm128,
            (IrOp.VAdd, IrType.I16) => Code.Paddw_xmm_xmmm128,
            (IrOp.VAdd, IrType.I32) => Code.Paddd_xmm_xmmm128,
            (IrOp.VAdd, IrType.I64) => Code.Paddq_xmm_xmmm128,
            (IrOp.VSub, IrType.I8) => Code.Psubb_xmm_xmmm128,
            (IrOp.VSub, IrType.I16) => Code.Psubw_xmm_xmmm128,
            (IrOp.VSub, IrType.I32) => Code.Psubd_xmm_xmmm128,
            (IrOp.VSub, IrType.I64) => Code.Psubq_xmm_xmmm128,
            (IrOp.VAddSatU, IrType.I8) => Code.Paddusb_xmm_xmmm128,
            (IrOp.VAddSatU, IrType.I16) => Code.Paddusw_xmm_xmmm128,
            (IrOp.VAddSatS, IrType.I8) => Code.Paddsb_xmm_xmmm128,
            (IrOp.VAddSatS, IrType.I16) => Code.Paddsw_xmm_xmmm128,
            (IrOp.VSubSatU, IrType.I8) => Code.Psubusb_xmm_xmmm128,
            (IrOp.VSubSatU, IrType.I16) => Code.Psubusw_xmm_xmmm128,
            (IrOp.VSubSatS, IrType.I8) => Code.Psubsb_xmm_xmmm128,
            (IrOp.VSubSatS, IrType.I16) => Code.Psubsw_xmm_xmmm128,
            (IrOp.VMul, IrType.I16) => Code.Pmullw_xmm_xmmm128,
            (IrOp.VMul, IrType.I32) => Sse41(Code.Pmulld_xmm_xmmm128),
            (IrOp.VMulHiU, IrType.I16) => Code.Pmulhuw_xmm_xmmm128,
            (IrOp.VMulHiS, IrType.I16) => Code.Pmulhw_xmm_xmmm128,
            (IrOp.VCmpEQ, IrType.I8) => Code.Pcmpeqb_xmm_xmmm128,
            (IrOp.VCmpEQ, IrType.I16) => Code.Pcmpeqw_xmm_xmmm128,
            (IrOp.VCmpEQ, IrType.I32) => Code.Pcmpeqd_xmm_xmmm128,
            (IrOp.VCmpEQ, IrType.I64) => Sse41(Code.Pcmpeqq_xmm_xmmm128),
            (IrOp.VCmpGTS, IrType.I8) => Code.Pcmpgtb_xmm_xmmm128,
            (IrOp.VCmpGTS, IrType.I16) => Code.Pcmpgtw_xmm_xmmm128,
            (IrOp.VCmpGTS, IrType.I32) => Code.Pcmpgtd_xmm_xmmm128,
            (IrOp.VCmpGTS, IrType.I64) => HasSse42 ? Code.Pcmpgtq_xmm_xmmm128 : Code.INVALID,
            (IrOp.VMinU, IrType.I8) => Code.Pminub_xmm_xmmm128,
            (IrOp.VMinU, IrType.I16) => Sse41(Code.Pminuw_xmm_xmmm128),
            (IrOp.VMinU, IrType.I32) => Sse41(Code.Pminud_xmm_xmmm128),
            (IrOp.VMaxU, IrType.I8) => Code.Pmaxub_xmm_xmmm128,
            (IrOp.VMaxU, IrType.I16) => Sse41(Code.Pmaxuw_xmm_xmmm128),
            (IrOp.VMaxU, IrType.I32) => Sse41(Code.Pmaxud_xmm_xmmm128),
            (IrOp.VMinS, IrType.I8) => Sse41(Code.Pminsb_xmm_xmmm128),
            (IrOp.VMinS, IrType.I16) => Code.Pminsw_xmm_xmmm128,
            (IrOp.VMinS, IrType.I32) => Sse41(Code.Pminsd_xmm_xmmm128),
            (IrOp.VMaxS, IrType.I8) => Sse41(Code.Pmaxsb_xmm_xmmm128),
            (IrOp.VMaxS, IrType.I16) => Code.Pmaxsw_xmm_xmmm128,
            (IrOp.VMaxS, IrType.I32) => Sse41(Code.Pmaxsd_xmm_xmmm128),
            (IrOp.VAvgU, IrType.I8) => Code.Pavgb_xmm_xmmm128,
            (IrOp.VAvgU, IrType.I16) => Code.Pavgw_xmm_xmmm128,
            (IrOp.VInterleaveLo, IrType.I8) => Code.Punpcklbw_xmm_xmmm128,
            (IrOp.VInterleaveLo, IrType.I16) => Code.Punpcklwd_xmm_xmmm128,
            (IrOp.VInterleaveLo, IrType.I32 or IrType.F32) => Code.Punpckldq_xmm_xmmm128,
            (IrOp.VInterleaveLo, IrType.I64 or IrType.F64) => Code.Punpcklqdq_xmm_xmmm128,
            (IrOp.VInterleaveHi, IrType.I8) => Code.Punpckhbw_xmm_xmmm128,
            (IrOp.VInterleaveHi, IrType.I16) => Code.Punpckhwd_xmm_xmmm128,
            (IrOp.VInterleaveHi, IrType.I32 or IrType.F32) => Code.Punpckhdq_xmm_xmmm128,
            (IrOp.VInterleaveHi, IrType.I64 or IrType.F64) => Code.Punpckhqdq_xmm_xmmm128,
            (IrOp.VPackSS, IrType.I16) => Code.Packsswb_xmm_xmmm128,
            (IrOp.VPackSS, IrType.I32) => Code.Packssdw_xmm_xmmm128,
            (IrOp.VPackUS, IrType.I16) => Code.Packuswb_xmm_xmmm128,
            (IrOp.VPackUS, IrType.I32) => Sse41(Code.Packusdw_xmm_xmmm128),
            (IrOp.VPermBytes, IrType.I8) => X86.Ssse3.IsSupported ? Code.Pshufb_xmm_xmmm128 : Code.INVALID,
            (IrOp.VFAdd, IrType.F32) => Code.Addps_xmm_xmmm128,
            (IrOp.VFAdd, IrType.F64) => Code.Addpd_xmm_xmmm128,
            (IrOp.VFSub, IrType.F32) => Code.Subps_xmm_xmmm128,
            (IrOp.VFSub, IrType.F64) => Code.Subpd_xmm_xmmm128,
            (IrOp.VFMul, IrType.F32) => Code.Mulps_xmm_xmmm128,
            (IrOp.VFMul, IrType.F64) => Code.Mulpd_xmm_xmmm128,
            (IrOp.VFDiv, IrType.F32) => Code.Divps_xmm_xmmm128,
            (IrOp.VFDiv, IrType.F64) => Code.Divpd_xmm_xmmm128,
            (IrOp.VFMin, IrType.F32) => Code.Minps_xmm_xmmm128,
            (IrOp.VFMin, IrType.F64) => Code.Minpd_xmm_xmmm128,
            (IrOp.VFMax, IrType.F32) => Code.Maxps_xmm_xmmm128,
            (IrOp.VFMax, IrType.F64) => Code.Maxpd_xmm_xmmm128,
            _ => Code.INVALID,
        };
        return code;
    }

    private static Code Sse41(Code code) => HasSse41 ? code : Code.INVALID;
}
