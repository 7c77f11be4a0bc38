namespace Memcheck.Engine.Ir;

/// <summary>
/// Operations of Unop, Binop and Triop statements. Operations are polymorphic: the statement's
/// result type and its operands' types select the width. Semantics live in one place,
/// <see cref="IrEvaluator"/>, which the interpreter, the constant folder and the backend's
/// fallback path all call; the comments here state the contract.
/// Vector operations (prefix V) act lane-wise on V128 with the lane type in the statement's Lane.
/// </summary>
public enum IrOp : ushort
{
    Invalid,

    // ---- Unary ----
    Not,
    Neg,
    /// <summary>Widen an integer with zeros (I1 -> any is 0 or 1).</summary>
    ZeroExtend,
    SignExtend,
    /// <summary>Keep the low bits of a wider integer or vector; I-anything -> I1 keeps bit 0.</summary>
    Truncate,
    /// <summary>The upper half of a value twice the result's width (I128/V128 -> I64, I64 -> I32, ...).</summary>
    HighHalf,
    /// <summary>Count of leading zeros; the operand's width for zero.</summary>
    Clz,
    /// <summary>Count of trailing zeros; the operand's width for zero.</summary>
    Ctz,
    Popcount,
    ByteSwap,
    /// <summary>Same bits, other type of the same width (I64 &lt;-&gt; F64, I32 &lt;-&gt; F32, I128 &lt;-&gt; V128).</summary>
    Bitcast,
    FNeg,
    FAbs,
    FSqrt,
    /// <summary>F32 -> F64 or F64 -> F32 (round to nearest).</summary>
    FConvert,
    /// <summary>Signed integer (operand type) to float (result type), rounded to nearest.</summary>
    SIntToF,
    /// <summary>Float to signed integer, truncating; x86's integer indefinite (MinValue) on NaN or overflow.</summary>
    FToSIntTrunc,
    /// <summary>Float to signed integer, rounding to nearest even; integer indefinite on NaN or overflow.</summary>
    FToSIntRound,
    /// <summary>V128 -> I32: the top bit of each lane (pmovmskb, movmskps, movmskpd by Lane).</summary>
    VMoveMask,
    /// <summary>Copy the scalar (operand) into every lane of a V128.</summary>
    VSplat,

    // ---- Binary: integer ----
    Add,
    Sub,
    /// <summary>Low half of the product.</summary>
    Mul,
    /// <summary>High half of the unsigned double-width product.</summary>
    MulHiU,
    MulHiS,
    And,
    Or,
    Xor,
    /// <summary>Shifts and rotates take an I8 amount already reduced below the operand's width.</summary>
    Shl,
    Shr,
    Sar,
    Rol,
    Ror,
    /// <summary>Comparisons produce I1.</summary>
    CmpEQ,
    CmpNE,
    CmpLTU,
    CmpLTS,
    CmpLEU,
    CmpLES,
    /// <summary>(high, low) -> the value of twice their width (the result type).</summary>
    Concat,

    // ---- Binary: scalar float ----
    FAdd,
    FSub,
    FMul,
    FDiv,
    /// <summary>x86 minss/minsd: a &lt; b ? a : b (so b when either is NaN or both are zero).</summary>
    FMin,
    /// <summary>x86 maxss/maxsd: a &gt; b ? a : b.</summary>
    FMax,
    /// <summary>Ordered compare to I32 holding the ZF/PF/CF bits as comisd sets them in RFLAGS positions.</summary>
    FCmpFlags,
    /// <summary>(float a, I8 mode b) -> a rounded to an integral value of a's type; mode as roundsd's imm[1:0]: 0 nearest even, 1 down, 2 up, 3 toward zero (sse).</summary>
    FRoundInt,

    // ---- Binary: vector, lane-wise ----
    VAdd,
    VSub,
    VAddSatU,
    VAddSatS,
    VSubSatU,
    VSubSatS,
    VMul,
    VMulHiU,
    VMulHiS,
    VCmpEQ,
    VCmpGTS,
    VMinU,
    VMinS,
    VMaxU,
    VMaxS,
    VAvgU,
    /// <summary>Shift every lane by an I8 count; counts of the lane width or more give 0 (VSar: sign fill).</summary>
    VShl,
    VShr,
    VSar,
    /// <summary>Interleave the low (high) lanes of a and b: a0 b0 a1 b1 ... (punpckl*, unpckl*).</summary>
    VInterleaveLo,
    VInterleaveHi,
    /// <summary>Narrow a then b lane-wise to half-width lanes with signed (unsigned) saturation; Lane is the source lane.</summary>
    VPackSS,
    VPackUS,
    /// <summary>Lane b (constant) of a, as the result's scalar type.</summary>
    VExtractLane,
    /// <summary>Byte shift of the whole vector left (toward higher lanes) by a constant count (pslldq).</summary>
    VShiftBytesLeft,
    VShiftBytesRight,
    VFAdd,
    VFSub,
    VFMul,
    VFDiv,
    VFMin,
    VFMax,
    /// <summary>pshufb, Lane I8: byte i = b[i] bit 7 set ? 0 : a[b[i] &amp; 15] (sse).</summary>
    VPermBytes,
    /// <summary>Shift every lane of a by the same lane of b (unsigned); counts of the lane width or more give 0 (VSarV: sign fill).</summary>
    VShlV,
    VShrV,
    VSarV,

    // ---- Ternary ----
    /// <summary>(high, low, divisor): quotient of the double-width dividend; caller guarantees no overflow.</summary>
    QuotU,
    QuotS,
    RemU,
    RemS,
    /// <summary>(high, low, divisor) -> I1: the division would raise #DE (zero divisor or quotient too wide).</summary>
    DivFaultsU,
    DivFaultsS,
    /// <summary>(vector, constant lane index, scalar): the vector with that lane replaced.</summary>
    VInsertLane,
    /// <summary>(a, b, constant predicate 0-15 as vcmpps uses): lane-wise float compare giving all-ones or zero lanes.</summary>
    VFCmp,
    /// <summary>(a, b, constant control): shufps/shufpd/pshufd/pshuflw/pshufhw-style lane selection, see IrEvaluator.</summary>
    VShuffle,
    /// <summary>
    /// Fused multiply-add lane-wise on float lanes, rounded once: a*b+c, a*b-c, -(a*b)+c, -(a*b)-c. A NaN operand
    /// gives the first NaN of a, b, c quieted (its sign kept); an invalid operation the default NaN (x86 FMA).
    /// </summary>
    VFMulAdd,
    VFMulSub,
    VFNegMulAdd,
    VFNegMulSub,
}
