using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Jit;

/// <summary>
/// Which operations the backend emits inline. Everything else is a call to the evaluator, which also
/// decides where the register allocator must keep values in callee-saved registers.
/// </summary>
internal static class InlineOps
{
    public static bool IsNarrowInt(IrType t) => t is >= IrType.I1 and <= IrType.I64;
    /// <summary>Types held in one host general-purpose register (floats as their bit patterns).</summary>
    public static bool IsNarrow(IrType t) => IsNarrowInt(t) || t is IrType.F32 or IrType.F64;

    public static bool CanInline(in IrStmt s) => s.Kind switch
    {
        StmtKind.Unop => Unop(s.Op, s.Type, s.A.Type),
        StmtKind.Binop => Binop(s.Op, s.Type, s.A.Type, s.B.Type),
        // A signed 64-bit division can overflow in ways only a 128-bit check catches: left to the evaluator.
        StmtKind.Triop => (s.Op is IrOp.QuotU or IrOp.RemU && s.Type is >= IrType.I8 and <= IrType.I64
                || s.Op is IrOp.QuotS or IrOp.RemS && s.Type is >= IrType.I8 and <= IrType.I32)
            && s.A.Type == s.Type && s.B.Type == s.Type && s.C.Type == s.Type,
        _ => true,
    };

    private static bool Unop(IrOp op, IrType result, IrType arg) => op switch
    {
        IrOp.Not or IrOp.Neg => IsNarrowInt(result) && arg == result,
        IrOp.ZeroExtend or IrOp.SignExtend => IsNarrowInt(arg)
            && (IsNarrowInt(result) ? result.Bits() >= arg.Bits() : result == IrType.I128 || (op == IrOp.ZeroExtend && result == IrType.V128)),
        IrOp.Truncate => IsNarrowInt(result) && (IsNarrowInt(arg) ? arg.Bits() >= result.Bits() : arg.IsWide()),
        IrOp.HighHalf => IsNarrowInt(result) && result != IrType.I1
            && (arg.IsWide() ? result == IrType.I64 : IsNarrowInt(arg) && arg.Bits() == 2 * result.Bits()),
        IrOp.ByteSwap => result is IrType.I16 or IrType.I32 or IrType.I64 && arg == result,
        IrOp.Bitcast => result != IrType.I1 && arg != IrType.I1 && (IsNarrow(result) ? IsNarrow(arg) : arg.IsWide())
            && result.Bits() == arg.Bits(),
        IrOp.FNeg or IrOp.FAbs => result is IrType.F32 or IrType.F64 && arg == result,
        _ => false,
    };

    private static bool Binop(IrOp op, IrType result, IrType a, IrType b) => op switch
    {
        IrOp.And or IrOp.Or or IrOp.Xor => IsNarrowInt(result) && a == result && b == result,
        IrOp.Add or IrOp.Sub or IrOp.Mul or IrOp.MulHiU or IrOp.MulHiS =>
            result is >= IrType.I8 and <= IrType.I64 && a == result && b == result,
        IrOp.Shl or IrOp.Shr or IrOp.Sar or IrOp.Rol or IrOp.Ror =>
            result is >= IrType.I8 and <= IrType.I64 && a == result && b == IrType.I8,
        IrOp.CmpEQ or IrOp.CmpNE or IrOp.CmpLTU or IrOp.CmpLEU => result == IrType.I1 && IsNarrowInt(a) && b == a,
        // A 1-bit signed value is 0 or -1; rare enough to leave to the evaluator.
        IrOp.CmpLTS or IrOp.CmpLES => result == IrType.I1 && IsNarrowInt(a) && a != IrType.I1 && b == a,
        IrOp.Concat => a == b && (result is IrType.I16 or IrType.I32 or IrType.I64 && a.Bits() * 2 == result.Bits()
            || result is IrType.I128 or IrType.V128 && a == IrType.I64),
        _ => false,
    };

    /// <summary>Statements that call out of generated code, clobbering the caller-saved registers.</summary>
    public static bool CallsOut(in IrStmt s) => s.Kind == StmtKind.Call || !CanInline(s);
}
