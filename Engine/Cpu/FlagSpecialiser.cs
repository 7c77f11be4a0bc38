using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu;

/// <summary>
/// Rewrites condition-helper calls whose thunk operation is a constant (after propagation) into
/// direct IR comparisons: cmp/sub, test/and/logic, add, inc/dec, shifts and copy thunks for the
/// conditions compilers branch on. Plugs into the optimiser's GuestSpecialisation hook; the
/// rewritten call keeps its temp (now a zero-extended I1), so later statements are untouched.
/// </summary>
public static class FlagSpecialiser
{
    /// <summary>The rewritten block, built per thread and reused: most blocks have a condition to specialise.</summary>
    [ThreadStatic] private static List<IrStmt>? t_rewritten;

    public static Superblock Specialise(Superblock sb) => Rewrite(sb) ?? sb;

    /// <summary>
    /// The block with its constant-thunk conditions rewritten, or null when it has none (the optimiser then skips
    /// the clean-up after it: after memcheck's instrumentation, which specialised first, there are none).
    /// </summary>
    public static Superblock? Rewrite(Superblock sb)
    {
        List<IrStmt>? rewritten = null;
        var stmts = sb.Statements;
        for (int i = 0; i < stmts.Length; i++)
        {
            ref readonly var s = ref stmts[i];
            if (s.Kind == StmtKind.Call && s.Helper is { } helper && s.Args is [{ IsConst: true } op, var dep1, var dep2, var ndep]
                && FlagHelpers.ConditionOf(helper) is { } cond)
            {
                if (rewritten == null)
                {
                    rewritten = t_rewritten ??= [];
                    rewritten.Clear();
                    rewritten.AddRange(stmts[..i]);
                }
                int before = rewritten.Count;
                if (Direct(sb, rewritten, cond, (CcOp)op.Const, dep1, dep2, ndep) is { } r)
                {
                    rewritten.Add(new IrStmt { Kind = StmtKind.Unop, Op = IrOp.ZeroExtend, Type = IrType.I64, A = r, Dst = s.Dst });
                    continue;
                }
                rewritten.RemoveRange(before, rewritten.Count - before);
            }
            rewritten?.Add(s);
        }
        if (rewritten == null) return null;
        sb.ReplaceStatements(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rewritten));
        return sb;
    }

    /// <summary>
    /// The condition as an I1 computed by statements added to the end of <paramref name="sb"/>, or null when not
    /// specialisable: the lifter asks this first when the thunk's operation is known where the condition is read.
    /// </summary>
    public static IrValue? Direct(Superblock sb, X86Condition cond, CcOp op, IrValue dep1, IrValue dep2, IrValue ndep) =>
        Direct(sb, null, cond, op, dep1, dep2, ndep);

    /// <summary>The condition as an I1 computed by statements appended to <paramref name="emitted"/> (the block when null), or null when not specialisable.</summary>
    private static IrValue? Direct(Superblock sb, List<IrStmt>? emitted, X86Condition cond, CcOp op, IrValue dep1, IrValue dep2, IrValue ndep)
    {
        bool negate = cond.IsNegated();
        var positive = (X86Condition)((int)cond & ~1);
        var builder = new Emitter(sb, emitted);
        IrValue? value = op == CcOp.Copy ? CopyCondition(builder, positive, dep1) : SizedCondition(builder, positive, op, dep1, dep2, ndep);
        if (value is not { } v) return null;
        return negate ? builder.Binop(IrOp.Xor, IrType.I1, v, IrValue.U1(true)) : v;
    }

    private static IrValue? SizedCondition(Emitter e, X86Condition positive, CcOp op, IrValue dep1, IrValue dep2, IrValue ndep)
    {
        var type = IrTypes.IntOfBytes(op.Bits() / 8);
        IrValue A() => e.Narrow(type, dep1);
        IrValue B() => e.Narrow(type, dep2);
        IrValue Zero() => IrValue.Constant(type, 0);
        switch (op.Family())
        {
            case CcOp.Sub8:
                return positive switch
                {
                    X86Condition.E => e.Binop(IrOp.CmpEQ, IrType.I1, A(), B()),
                    X86Condition.B => e.Binop(IrOp.CmpLTU, IrType.I1, A(), B()),
                    X86Condition.BE => e.Binop(IrOp.CmpLEU, IrType.I1, A(), B()),
                    X86Condition.L => e.Binop(IrOp.CmpLTS, IrType.I1, A(), B()),
                    X86Condition.LE => e.Binop(IrOp.CmpLES, IrType.I1, A(), B()),
                    X86Condition.S => e.Binop(IrOp.CmpLTS, IrType.I1, e.Binop(IrOp.Sub, type, A(), B()), Zero()),
                    _ => null,
                };
            case CcOp.Logic8:
            {
                // OF = CF = 0: signed conditions reduce to the result's sign and zero.
                return positive switch
                {
                    X86Condition.E or X86Condition.BE => e.Binop(IrOp.CmpEQ, IrType.I1, A(), Zero()),
                    X86Condition.S or X86Condition.L => e.Binop(IrOp.CmpLTS, IrType.I1, A(), Zero()),
                    X86Condition.LE => e.Binop(IrOp.CmpLES, IrType.I1, A(), Zero()),
                    X86Condition.O or X86Condition.B => IrValue.U1(false),
                    _ => null,
                };
            }
            case CcOp.Add8:
                return positive switch
                {
                    X86Condition.E => e.Binop(IrOp.CmpEQ, IrType.I1, e.Binop(IrOp.Add, type, A(), B()), Zero()),
                    X86Condition.S => e.Binop(IrOp.CmpLTS, IrType.I1, e.Binop(IrOp.Add, type, A(), B()), Zero()),
                    X86Condition.B => e.Binop(IrOp.CmpLTU, IrType.I1, e.Binop(IrOp.Add, type, A(), B()), A()),
                    _ => null,
                };
            case CcOp.Inc8 or CcOp.Dec8:
                return positive switch
                {
                    X86Condition.E => e.Binop(IrOp.CmpEQ, IrType.I1, A(), Zero()),
                    X86Condition.S => e.Binop(IrOp.CmpLTS, IrType.I1, A(), Zero()),
                    // inc/dec keep CF, which the thunk carries in Ndep.
                    X86Condition.B => e.Binop(IrOp.CmpNE, IrType.I1, e.Binop(IrOp.And, IrType.I64, ndep, IrValue.U64(X86Flags.CF)), IrValue.U64(0)),
                    _ => null,
                };
            case CcOp.Shl8 or CcOp.Shr8 or CcOp.Sar8:
                return positive switch
                {
                    X86Condition.E => e.Binop(IrOp.CmpEQ, IrType.I1, A(), Zero()),
                    X86Condition.S => e.Binop(IrOp.CmpLTS, IrType.I1, A(), Zero()),
                    _ => null,
                };
            default:
                return null;
        }
    }

    /// <summary>
    /// Copy thunks hold the flags themselves (ucomisd, popf, sahf leave them): single-flag conditions and BE are a bit
    /// test, L and LE compare SF with OF.
    /// </summary>
    private static IrValue? CopyCondition(Emitter e, X86Condition positive, IrValue flags)
    {
        ulong? bits = positive switch
        {
            X86Condition.O => X86Flags.OF,
            X86Condition.B => X86Flags.CF,
            X86Condition.E => X86Flags.ZF,
            X86Condition.S => X86Flags.SF,
            X86Condition.P => X86Flags.PF,
            X86Condition.BE => X86Flags.CF | X86Flags.ZF,
            _ => null,
        };
        if (bits is { } b) return AnyBit(e, flags, b);
        if (positive is not (X86Condition.L or X86Condition.LE)) return null;
        // SF (bit 7) moved onto OF (bit 11): their xor is set exactly when SF != OF.
        var signOverflow = AnyBit(e, e.Binop(IrOp.Xor, IrType.I64, flags, e.Binop(IrOp.Shl, IrType.I64, flags, IrValue.U8(4))), X86Flags.OF);
        return positive == X86Condition.L ? signOverflow : e.Binop(IrOp.Or, IrType.I1, signOverflow, AnyBit(e, flags, X86Flags.ZF));
    }

    private static IrValue AnyBit(Emitter e, IrValue flags, ulong bits) =>
        e.Binop(IrOp.CmpNE, IrType.I1, e.Binop(IrOp.And, IrType.I64, flags, IrValue.U64(bits)), IrValue.U64(0));

    /// <summary>Appends statements with fresh temps to a list, or to the block itself when there is none.</summary>
    private readonly struct Emitter(Superblock sb, List<IrStmt>? into)
    {
        public IrValue Binop(IrOp op, IrType type, IrValue a, IrValue b)
        {
            var t = sb.NewTemp(type);
            Add(new IrStmt { Kind = StmtKind.Binop, Op = op, Type = type, A = a, B = b, Dst = t.Temp });
            return t;
        }

        public IrValue Narrow(IrType type, IrValue v)
        {
            if (v.Type == type) return v;
            if (v.IsConst) return IrValue.Constant(type, v.Const);
            var t = sb.NewTemp(type);
            Add(new IrStmt { Kind = StmtKind.Unop, Op = IrOp.Truncate, Type = type, A = v, Dst = t.Temp });
            return t;
        }

        private void Add(in IrStmt s)
        {
            if (into != null) into.Add(s);
            else sb.Add(s);
        }
    }
}
