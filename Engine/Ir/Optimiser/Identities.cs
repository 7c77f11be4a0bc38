namespace Memcheck.Engine.Ir;

/// <summary>
/// Algebraic identities whose result is an existing value: x+0, x&amp;~0, x^x, widen-then-narrow, and
/// the boolean round trip (widened I1 compared against zero) that flag computations leave behind.
/// </summary>
internal static class Identities
{
    /// <summary>The value <paramref name="s"/> is known to equal, or <see cref="IrValue.None"/>.</summary>
    /// <param name="kept">Statements kept so far; <paramref name="definition"/> indexes them by temp.</param>
    public static IrValue Simplify(in IrStmt s, ReadOnlySpan<IrStmt> kept, int[] definition)
    {
        IrValue a = s.A, b = s.B;
        IrType type = s.Type;
        bool sameTemp = a.IsTemp && a == b;
        if (s.Kind == StmtKind.Unop) return SimplifyUnop(s.Op, type, a, kept, definition);
        if (s.Kind != StmtKind.Binop) return IrValue.None;
        switch (s.Op)
        {
            case IrOp.Add or IrOp.Or or IrOp.Xor when IsZero(a) && b.Type == type:
                return b;
            case IrOp.Add or IrOp.Sub or IrOp.Or or IrOp.Xor or IrOp.Shl or IrOp.Shr or IrOp.Sar or IrOp.Rol or IrOp.Ror
                when IsZero(b) && a.Type == type:
                return a;
            case IrOp.Sub or IrOp.Xor when sameTemp:
                return ConstantFolder.Constant(type, default);
            case IrOp.And or IrOp.Or when sameTemp:
                return a;
            case IrOp.And when IsZero(a) || IsZero(b):
                return ConstantFolder.Constant(type, default);
            case IrOp.And when IsAllOnes(b, type) && a.Type == type:
                return a;
            case IrOp.And when IsAllOnes(a, type) && b.Type == type:
                return b;
            case IrOp.Mul when b.IsConst && b.Const == 1 && b.ConstHi == 0 && a.Type == type:
                return a;
            case IrOp.CmpEQ or IrOp.CmpLEU or IrOp.CmpLES when sameTemp:
                return IrValue.U1(true);
            case IrOp.CmpNE or IrOp.CmpLTU or IrOp.CmpLTS when sameTemp:
                return IrValue.U1(false);
            case IrOp.CmpNE when type == IrType.I1 && IsZero(b) && Definition(a, kept, definition) is { } d
                                 && d.Kind == StmtKind.Unop && d.Op == IrOp.ZeroExtend && d.A.Type == IrType.I1:
                return d.A;
            default:
                return IrValue.None;
        }
    }

    private static IrValue SimplifyUnop(IrOp op, IrType type, IrValue a, ReadOnlySpan<IrStmt> kept, int[] definition)
    {
        if (op is IrOp.ZeroExtend or IrOp.SignExtend or IrOp.Truncate or IrOp.Bitcast && a.Type == type) return a;
        if (Definition(a, kept, definition) is not { Kind: StmtKind.Unop } d || d.A.Type != type) return IrValue.None;
        bool roundTrip = (op, d.Op) switch
        {
            (IrOp.Truncate, IrOp.ZeroExtend or IrOp.SignExtend) => true,
            (IrOp.Not, IrOp.Not) or (IrOp.Neg, IrOp.Neg) or (IrOp.Bitcast, IrOp.Bitcast) => true,
            _ => false,
        };
        return roundTrip ? d.A : IrValue.None;
    }

    private static IrStmt? Definition(IrValue v, ReadOnlySpan<IrStmt> kept, int[] definition) =>
        v.IsTemp && definition[v.Temp] >= 0 ? kept[definition[v.Temp]] : null;

    private static bool IsZero(IrValue v) => v.IsConst && v.Const == 0 && v.ConstHi == 0;

    private static bool IsAllOnes(IrValue v, IrType type) => v.IsConst && (type.IsWide()
        ? v.Const == ulong.MaxValue && v.ConstHi == ulong.MaxValue
        : v.Const == type.Mask());
}
