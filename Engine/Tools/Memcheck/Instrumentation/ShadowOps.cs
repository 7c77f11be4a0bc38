using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// Memcheck's basic operations on V bits (1 = undefined), emitted into a superblock. Shadows of integers and
/// vectors have the value's type; floats are shadowed by the integer of their width. A constant zero shadow
/// ("defined") is folded here, so fully defined code gains few statements.
/// </summary>
internal readonly struct ShadowOps(Superblock sb)
{
    public Superblock Block => sb;

    public static IrType ShadowType(IrType type) => type switch
    {
        IrType.F32 => IrType.I32,
        IrType.F64 => IrType.I64,
        _ => type,
    };

    /// <summary>Integer lane type of the same width as a vector lane type (float lanes are shadowed as integers).</summary>
    public static IrType LaneShadow(IrType lane) => ShadowType(lane);

    public static IrValue Defined(IrType type) =>
        type.IsWide() ? IrValue.Constant128(type, 0, 0) : IrValue.Constant(type, 0);

    public static IrValue Undefined(IrType type) =>
        type.IsWide() ? IrValue.Constant128(type, ulong.MaxValue, ulong.MaxValue) : IrValue.Constant(type, ulong.MaxValue);

    public static bool IsDefined(IrValue v) => v.IsConst && v.Const == 0 && v.ConstHi == 0;

    /// <summary>Undefined if either is: bitwise or.</summary>
    public IrValue UifU(IrValue a, IrValue b) =>
        IsDefined(a) ? b : IsDefined(b) ? a : sb.Binop(IrOp.Or, a, b);

    /// <summary>Defined if either is: bitwise and.</summary>
    public IrValue DifD(IrValue a, IrValue b) =>
        IsDefined(a) || IsDefined(b) ? Defined(a.Type) : sb.Binop(IrOp.And, a, b);

    /// <summary>Smear every undefined bit to all higher bits (x | -x): carries move undefinedness upward only.</summary>
    public IrValue Left(IrValue v) =>
        IsDefined(v) ? v : sb.Binop(IrOp.Or, v, sb.Unop(IrOp.Neg, v.Type, v));

    /// <summary>Pessimistic cast: any undefined bit makes the whole result (of <paramref name="type"/>) undefined.</summary>
    public IrValue PCast(IrValue v, IrType type)
    {
        if (v.IsConst) return IsDefined(v) ? Defined(type) : Undefined(type);
        var any = v.Type == IrType.I1 ? v : sb.Binop(IrOp.CmpNE, IrType.I1, v, Defined(v.Type));
        return type == IrType.I1 ? any : sb.Unop(IrOp.SignExtend, type, any);
    }

    /// <summary>Lane-wise pessimistic cast of a vector shadow: each lane all ones if any of its bits is undefined.</summary>
    public IrValue PCastLanes(IrValue v, IrType lane)
    {
        if (IsDefined(v)) return v;
        var laneInt = LaneShadow(lane);
        var defined = sb.Binop(IrOp.VCmpEQ, IrType.V128, v, Defined(IrType.V128), laneInt);
        return sb.Unop(IrOp.Not, IrType.V128, defined);
    }

    /// <summary>Union of pessimistic casts of several shadows into one shadow of <paramref name="type"/> (memcheck's mkLazyN).</summary>
    public IrValue Lazy(IrType type, params IrValue[] shadows)
    {
        IrValue acc = Defined(IrType.I1);
        foreach (var v in shadows) acc = UifU(acc, PCast(v, IrType.I1));
        return PCast(acc, type);
    }

    public IrValue Not(IrValue v) => sb.Unop(IrOp.Not, v.Type, v);
}
