using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// The V bits of each operation's result from its operands' V bits, as Valgrind 3.19's memcheck computes them.
/// Callers handle the all-operands-defined case (the result is defined) and the checks some operands need.
/// </summary>
internal sealed class OperationRules(ShadowOps ops, UsageAnalysis usage, ExpensiveChecks expensive)
{
    private Superblock Sb => ops.Block;

    public IrValue Unop(in IrStmt s, IrValue va)
    {
        IrType type = ShadowOps.ShadowType(s.Type);
        switch (s.Op)
        {
            case IrOp.Not:
                return va;
            case IrOp.Neg:
                return ops.Left(va); // 0 - x by the cheap subtraction rule
            case IrOp.ZeroExtend or IrOp.SignExtend or IrOp.Truncate or IrOp.HighHalf or IrOp.ByteSwap:
                return Sb.Unop(s.Op, type, va);
            case IrOp.Bitcast:
                return va.Type == type ? va : Sb.Unop(IrOp.Bitcast, type, va);
            case IrOp.Ctz:
                return CountTrailingZeros(s.A, va, type);
            case IrOp.Clz:
                return CountLeadingZeros(s.A, va, type);
            case IrOp.VMoveMask or IrOp.VSplat:
                return Sb.Unop(s.Op, type, va, s.Lane); // the top bit of each lane's shadow, exactly
            case IrOp.Popcount or IrOp.FNeg or IrOp.FAbs or IrOp.FSqrt or IrOp.FConvert or IrOp.SIntToF
                or IrOp.FToSIntTrunc or IrOp.FToSIntRound:
                return ops.PCast(va, type);
            default:
                throw new NotSupportedException($"no V-bit rule for unary {s.Op}");
        }
    }

    public IrValue Binop(in IrStmt s, IrValue va, IrValue vb)
    {
        IrType type = ShadowOps.ShadowType(s.Type);
        switch (s.Op)
        {
            case IrOp.Add or IrOp.Sub when UsesExactAddSub(s):
                return ExactAddSub(s.Op, s.A, s.B, va, vb);
            case IrOp.Add or IrOp.Sub or IrOp.Mul:
                return ops.Left(ops.UifU(va, vb));
            case IrOp.MulHiU or IrOp.MulHiS:
                return ops.PCast(ops.UifU(va, vb), type);
            case IrOp.And:
                return Improve(s.A, s.B, va, vb, definedOne: false);
            case IrOp.Or:
                return Improve(s.A, s.B, va, vb, definedOne: true);
            case IrOp.Xor:
                return ops.UifU(va, vb);
            case IrOp.Shl or IrOp.Shr or IrOp.Sar or IrOp.Rol or IrOp.Ror:
                // The value's V bits move with it; an undefined amount spoils everything.
                return ops.UifU(Sb.Binop(s.Op, type, va, s.B), ops.PCast(vb, type));
            case IrOp.CmpEQ or IrOp.CmpNE when !s.A.Type.IsWide() && expensive != ExpensiveChecks.No:
                return ExactEquality(s.A, s.B, va, vb);
            case >= IrOp.CmpEQ and <= IrOp.CmpLES:
                return ops.PCast(ops.UifU(va, vb), IrType.I1);
            case IrOp.Concat:
                return Sb.Binop(IrOp.Concat, type, va, vb);
            case >= IrOp.FAdd and <= IrOp.FRoundInt:
                return ops.Lazy(type, va, vb);
            case >= IrOp.VAdd and <= IrOp.VAvgU:
            case >= IrOp.VFAdd and <= IrOp.VFMax:
                return ops.PCastLanes(ops.UifU(va, vb), s.Lane);
            case IrOp.VShl or IrOp.VShr or IrOp.VSar:
                return ops.UifU(Sb.Binop(s.Op, type, va, s.B, s.Lane), ops.PCast(vb, type));
            case IrOp.VShlV or IrOp.VShrV or IrOp.VSarV:
                // Each lane's V bits move by that lane's amount; an undefined amount spoils its lane.
                return ops.UifU(Sb.Binop(s.Op, type, va, s.B, s.Lane), ops.PCastLanes(vb, s.Lane));
            case IrOp.VInterleaveLo or IrOp.VInterleaveHi or IrOp.VExtractLane or IrOp.VShiftBytesLeft or IrOp.VShiftBytesRight:
                return Sb.Binop(s.Op, type, va, s.Op is IrOp.VInterleaveLo or IrOp.VInterleaveHi ? vb : s.B, s.Lane);
            case IrOp.VPackSS or IrOp.VPackUS:
                // Pessimise each source lane, then narrow without saturating away the all-ones lanes.
                return Sb.Binop(IrOp.VPackSS, type, ops.PCastLanes(va, s.Lane), ops.PCastLanes(vb, s.Lane), s.Lane);
            case IrOp.VPermBytes:
                return ops.UifU(Sb.Binop(IrOp.VPermBytes, type, va, s.B, s.Lane), ops.PCastLanes(vb, IrType.I8));
            default:
                throw new NotSupportedException($"no V-bit rule for binary {s.Op}");
        }
    }

    public IrValue Triop(in IrStmt s, IrValue va, IrValue vb, IrValue vc)
    {
        IrType type = ShadowOps.ShadowType(s.Type);
        switch (s.Op)
        {
            case IrOp.QuotU or IrOp.QuotS or IrOp.RemU or IrOp.RemS:
                return ops.Lazy(type, va, vb, vc);
            case IrOp.DivFaultsU or IrOp.DivFaultsS:
                // Valgrind divides natively and reports nothing for an undefined divisor.
                return ShadowOps.Defined(IrType.I1);
            case IrOp.VInsertLane:
                return Sb.Triop(IrOp.VInsertLane, type, va, s.B, vc, s.Lane);
            case IrOp.VFCmp:
                return ops.PCastLanes(ops.UifU(va, vb), s.Lane);
            case IrOp.VShuffle:
                return Sb.Triop(IrOp.VShuffle, type, va, vb, s.C, s.Lane);
            case IrOp.VFMulAdd or IrOp.VFMulSub or IrOp.VFNegMulAdd or IrOp.VFNegMulSub:
                return ops.PCastLanes(ops.UifU(ops.UifU(va, vb), vc), s.Lane);
            default:
                throw new NotSupportedException($"no V-bit rule for ternary {s.Op}");
        }
    }

    /// <summary>The condition's undefinedness spoils the result; otherwise the V bits follow the chosen arm.</summary>
    public IrValue Ite(in IrStmt s, IrValue vCond, IrValue vThen, IrValue vElse)
    {
        IrType type = ShadowOps.ShadowType(s.Type);
        var steered = vThen == vElse ? vThen : Sb.Ite(s.A, vThen, vElse);
        return ops.UifU(steered, ops.PCast(vCond, type));
    }

    /// <summary>
    /// --expensive-definedness-checks=auto: a 64-bit add/sub gets the exact rule when its result is used as data (not
    /// only as an address), a 32-bit one only in blocks with word-at-a-time literals.
    /// </summary>
    private bool UsesExactAddSub(in IrStmt s) => s.Type is IrType.I32 or IrType.I64 && expensive switch
    {
        ExpensiveChecks.Yes => true,
        ExpensiveChecks.No => false,
        _ => usage.HasBogusLiterals || (s.Type == IrType.I64 && usage.IsUsedAsData(s.Dst)),
    };

    /// <summary>
    /// Exact add/sub: a result bit is undefined when an operand bit is, or when the sums over the operands' smallest
    /// and largest possible values differ there.
    /// </summary>
    private IrValue ExactAddSub(IrOp op, IrValue a, IrValue b, IrValue va, IrValue vb)
    {
        var aMin = Sb.Binop(IrOp.And, a, ops.Not(va));
        var bMin = Sb.Binop(IrOp.And, b, ops.Not(vb));
        var aMax = Sb.Binop(IrOp.Or, a, va);
        var bMax = Sb.Binop(IrOp.Or, b, vb);
        var spread = op == IrOp.Add
            ? Sb.Binop(IrOp.Xor, Sb.Binop(IrOp.Add, aMin, bMin), Sb.Binop(IrOp.Add, aMax, bMax))
            : Sb.Binop(IrOp.Xor, Sb.Binop(IrOp.Sub, aMin, bMax), Sb.Binop(IrOp.Sub, aMax, bMin));
        return Sb.Binop(IrOp.Or, ops.UifU(va, vb), spread);
    }

    /// <summary>Exact ==/!=: defined when defined bits already differ, else undefined if any bit is.</summary>
    private IrValue ExactEquality(IrValue a, IrValue b, IrValue va, IrValue vb)
    {
        var undefinedBits = ops.UifU(va, vb);
        var definedDifference = Sb.Binop(IrOp.And, Sb.Binop(IrOp.Xor, a, b), ops.Not(undefinedBits));
        var anyUndefined = Sb.Binop(IrOp.CmpNE, IrType.I1, undefinedBits, ShadowOps.Defined(undefinedBits.Type));
        var noDefinedDifference = Sb.Binop(IrOp.CmpEQ, IrType.I1, definedDifference, ShadowOps.Defined(definedDifference.Type));
        return Sb.Binop(IrOp.And, IrType.I1, anyUndefined, noDefinedDifference);
    }

    /// <summary>
    /// and/or: a defined 0 (for and) or defined 1 (for or) in one operand makes that result bit defined whatever
    /// the other operand holds.
    /// </summary>
    private IrValue Improve(IrValue a, IrValue b, IrValue va, IrValue vb, bool definedOne)
    {
        IrValue Improvement(IrValue x, IrValue vx) =>
            ops.UifU(definedOne ? ops.Not(x) : x, vx); // 0 exactly where x has a defined 0 (1 for or)
        var naive = ops.UifU(va, vb);
        return ops.DifD(ops.DifD(naive, Improvement(a, va)), Improvement(b, vb));
    }

    /// <summary>ctz depends only on the bits up to and including the lowest set one.</summary>
    private IrValue CountTrailingZeros(IrValue a, IrValue va, IrType type)
    {
        var upToLowestOne = Sb.Binop(IrOp.Xor, a, Sb.Binop(IrOp.Sub, a, IrValue.Constant(a.Type, 1)));
        return ops.PCast(Sb.Binop(IrOp.And, va, upToLowestOne), type);
    }

    /// <summary>clz depends only on the bits down to and including the highest set one.</summary>
    private IrValue CountLeadingZeros(IrValue a, IrValue va, IrType type)
    {
        var count = Sb.Unop(IrOp.Clz, IrType.I8, a);
        var below = Sb.Binop(IrOp.Shr, ShadowOps.Undefined(a.Type), Sb.Binop(IrOp.Add, count, IrValue.U8(1)));
        return ops.PCast(Sb.Binop(IrOp.And, va, ops.Not(below)), type);
    }
}

/// <summary>Valgrind's --expensive-definedness-checks: where the exact add/sub and equality rules are used.</summary>
public enum ExpensiveChecks
{
    No,
    Auto,
    Yes,
}
