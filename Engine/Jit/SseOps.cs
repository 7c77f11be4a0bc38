using Iced.Intel;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Jit;

/// <summary>
/// Vector and float operations whose IR semantics are exactly one host SSE instruction (the IR models
/// them on SSE, NaN rules included), so the backend runs that instruction on xmm0 (a) and xmm1 (b)
/// instead of calling the evaluator. SSE4.1 ones (pmulld, pcmpeqq, ...) assume an x86-64-v2 host. The fused
/// multiply-adds are the host's FMA3 (132 form: xmm0 = xmm0 * xmm2 + xmm1, its NaN order a, b, c as the IR's)
/// on a host that has it, with a in xmm0, b in xmm2 and c in xmm1.
/// </summary>
internal static class SseOps
{
    public static bool TryGet(in IrStmt s, out Code code)
    {
        code = s.Kind switch
        {
            StmtKind.Unop => Unop(s.Op, s.Type, s.A.Type),
            StmtKind.Binop when s.Type == IrType.V128 && s.A.Type == IrType.V128 => Vector(s.Op, s.Lane, s.B.Type),
            StmtKind.Binop when s.Type is IrType.F32 or IrType.F64 && s.A.Type == s.Type && s.B.Type == s.Type => Scalar(s.Op, s.Type),
            StmtKind.Triop when s.Type == IrType.V128 && System.Runtime.Intrinsics.X86.Fma.IsSupported => Fused(s.Op, s.Lane),
            _ => Code.INVALID,
        };
        return code != Code.INVALID;
    }

    /// <summary>pmovmskb/movmskps/movmskpd for a VMoveMask to I32 (result in a general register), else INVALID.</summary>
    public static Code MoveMask(in IrStmt s) =>
        s.Kind != StmtKind.Unop || s.Op != IrOp.VMoveMask || s.Type != IrType.I32 || s.A.Type != IrType.V128 ? Code.INVALID : s.Lane switch
        {
            IrType.I8 => Code.Pmovmskb_r32_xmm,
            IrType.I32 or IrType.F32 => Code.Movmskps_r32_xmm,
            IrType.I64 or IrType.F64 => Code.Movmskpd_r32_xmm,
            _ => Code.INVALID,
        };

    private static Code Unop(IrOp op, IrType result, IrType arg) => (op, result) switch
    {
        (IrOp.FSqrt, IrType.F64) when arg == result => Code.Sqrtsd_xmm_xmmm64,
        (IrOp.FSqrt, IrType.F32) when arg == result => Code.Sqrtss_xmm_xmmm32,
        _ => Code.INVALID,
    };

    private static Code Fused(IrOp op, IrType lane) => (op, lane) switch
    {
        (IrOp.VFMulAdd, IrType.F32) => Code.VEX_Vfmadd132ps_xmm_xmm_xmmm128,
        (IrOp.VFMulAdd, IrType.F64) => Code.VEX_Vfmadd132pd_xmm_xmm_xmmm128,
        (IrOp.VFMulSub, IrType.F32) => Code.VEX_Vfmsub132ps_xmm_xmm_xmmm128,
        (IrOp.VFMulSub, IrType.F64) => Code.VEX_Vfmsub132pd_xmm_xmm_xmmm128,
        (IrOp.VFNegMulAdd, IrType.F32) => Code.VEX_Vfnmadd132ps_xmm_xmm_xmmm128,
        (IrOp.VFNegMulAdd, IrType.F64) => Code.VEX_Vfnmadd132pd_xmm_xmm_xmmm128,
        (IrOp.VFNegMulSub, IrType.F32) => Code.VEX_Vfnmsub132ps_xmm_xmm_xmmm128,
        (IrOp.VFNegMulSub, IrType.F64) => Code.VEX_Vfnmsub132pd_xmm_xmm_xmmm128,
        _ => Code.INVALID,
    };

    private static Code Scalar(IrOp op, IrType type) => (op, type == IrType.F64) switch
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

    /// <summary>V128 binops; shifts take their I8 count zero-extended in the low qword of xmm1, as psll*/psrl*/psra* do.</summary>
    private static Code Vector(IrOp op, IrType lane, IrType b)
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
        return (op, lane) switch
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
            (IrOp.VMul, IrType.I32) => Code.Pmulld_xmm_xmmm128,
            (IrOp.VMulHiU, IrType.I16) => Code.Pmulhuw_xmm_xmmm128,
            (IrOp.VMulHiS, IrType.I16) => Code.Pmulhw_xmm_xmmm128,
            (IrOp.VCmpEQ, IrType.I8) => Code.Pcmpeqb_xmm_xmmm128,
            (IrOp.VCmpEQ, IrType.I16) => Code.Pcmpeqw_xmm_xmmm128,
            (IrOp.VCmpEQ, IrType.I32) => Code.Pcmpeqd_xmm_xmmm128,
            (IrOp.VCmpEQ, IrType.I64) => Code.Pcmpeqq_xmm_xmmm128,
            (IrOp.VCmpGTS, IrType.I8) => Code.Pcmpgtb_xmm_xmmm128,
            (IrOp.VCmpGTS, IrType.I16) => Code.Pcmpgtw_xmm_xmmm128,
            (IrOp.VCmpGTS, IrType.I32) => Code.Pcmpgtd_xmm_xmmm128,
            (IrOp.VCmpGTS, IrType.I64) => Code.Pcmpgtq_xmm_xmmm128,
            (IrOp.VMinU, IrType.I8) => Code.Pminub_xmm_xmmm128,
            (IrOp.VMaxU, IrType.I8) => Code.Pmaxub_xmm_xmmm128,
            (IrOp.VMinS, IrType.I16) => Code.Pminsw_xmm_xmmm128,
            (IrOp.VMaxS, IrType.I16) => Code.Pmaxsw_xmm_xmmm128,
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
    }
}
