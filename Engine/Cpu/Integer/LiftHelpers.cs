using Memcheck.Engine.Ir;
using Reg = Iced.Intel.Register;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>Small IR conveniences shared by the integer families.</summary>
internal static class LiftHelpers
{
    public static IrValue Zx(this LiftContext ctx, IrType type, IrValue v) =>
        v.Type == type ? v : v.IsConst ? IrValue.Constant(type, v.Const) : ctx.Sb.Unop(IrOp.ZeroExtend, type, v);

    public static IrValue Sx(this LiftContext ctx, IrType type, IrValue v) =>
        v.Type == type ? v : ctx.Sb.Unop(IrOp.SignExtend, type, v);

    public static IrValue Trunc(this LiftContext ctx, IrType type, IrValue v) =>
        v.Type == type ? v : ctx.Sb.Unop(IrOp.Truncate, type, v);

    public static IrValue Bin(this LiftContext ctx, IrOp op, IrValue a, IrValue b) => ctx.Sb.Binop(op, a, b);

    public static IrValue Cmp(this LiftContext ctx, IrOp op, IrValue a, IrValue b) => ctx.Sb.Binop(op, IrType.I1, a, b);

    public static IrValue Shift(this LiftContext ctx, IrOp op, IrValue a, IrValue amount8) => ctx.Sb.Binop(op, a.Type, a, amount8);

    public static IrValue Ite(this LiftContext ctx, IrValue cond, IrValue then, IrValue otherwise) => ctx.Sb.Ite(cond, then, otherwise);

    public static IrValue Not1(this LiftContext ctx, IrValue b) => ctx.Sb.Binop(IrOp.Xor, b, IrValue.U1(true));

    /// <summary>The accumulator of a width: AL, AX, EAX or RAX.</summary>
    public static Reg Accumulator(IrType type) => type switch
    {
        IrType.I8 => Reg.AL, IrType.I16 => Reg.AX, IrType.I32 => Reg.EAX, _ => Reg.RAX,
    };

    /// <summary>The register of a width with the given 64-bit register's encoding (RDX -> DL, DX, EDX, RDX).</summary>
    public static Reg Sized(Reg full64, IrType type) => type switch
    {
        IrType.I8 => Reg.AL + (full64 - Reg.RAX),
        IrType.I16 => Reg.AX + (full64 - Reg.RAX),
        IrType.I32 => Reg.EAX + (full64 - Reg.RAX),
        _ => full64,
    };

    public static IrValue Rsp(this LiftContext ctx) => ctx.GetGpr(Reg.RSP);

    /// <summary>
    /// Push <paramref name="value"/> (its width is the stack slot size). RSP is written before the store, as VEX orders
    /// them: an earlier stack-pointer move with no memory access after it then merges into the push's, and the
    /// stack-pointer pass announces the merged move before the store, which lands in memory already alive.
    /// </summary>
    public static void Push(this LiftContext ctx, IrValue value)
    {
        var rsp = ctx.Bin(IrOp.Sub, ctx.Rsp(), IrValue.U64((ulong)value.Type.Bytes()));
        ctx.PutGpr(Reg.RSP, rsp);
        ctx.Store(rsp, value);
    }

    /// <summary>Pop a value of <paramref name="type"/>.</summary>
    public static IrValue Pop(this LiftContext ctx, IrType type)
    {
        var rsp = ctx.Rsp();
        var value = ctx.Load(type, rsp);
        ctx.PutGpr(Reg.RSP, ctx.Bin(IrOp.Add, rsp, IrValue.U64((ulong)type.Bytes())));
        return value;
    }

    /// <summary>CF as I1.</summary>
    public static IrValue Carry(this LiftContext ctx) => ctx.Condition(X86Condition.B);

    /// <summary>Replace the bits in <paramref name="mask"/> of the current OSZAPC with <paramref name="bits"/> (I64, already in position).</summary>
    public static void SetSomeFlags(this LiftContext ctx, ulong mask, IrValue bits)
    {
        var kept = ctx.Bin(IrOp.And, ctx.GetOszapc(), IrValue.U64(~mask));
        ctx.SetFlagsFromRflags(ctx.Bin(IrOp.Or, kept, bits));
    }

    /// <summary>A flag bit (I64, in position <paramref name="shift"/>) from an I1.</summary>
    public static IrValue FlagBit(this LiftContext ctx, IrValue b, int shift) =>
        shift == 0 ? ctx.Zx(IrType.I64, b) : ctx.Shift(IrOp.Shl, ctx.Zx(IrType.I64, b), IrValue.U8((ulong)shift));
}
