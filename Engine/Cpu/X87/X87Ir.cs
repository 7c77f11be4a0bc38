using Iced.Intel;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu.X87;

/// <summary>IR building blocks the x87 lifts share: memory operands in each format, the status word, helper calls on F64.</summary>
internal static class X87Ir
{
    /// <summary>Status-word bits of C3, C2, C1, C0.</summary>
    public const ulong ConditionMask = 0x4700;

    public static IrValue F64(double value) => IrValue.Constant(IrType.F64, BitConverter.DoubleToUInt64Bits(value));

    public static IrValue Bits(Superblock sb, IrValue f64) => sb.Unop(IrOp.Bitcast, IrType.I64, f64);

    public static IrValue FromBits(Superblock sb, IrValue i64) => sb.Unop(IrOp.Bitcast, IrType.F64, i64);

    /// <summary>A pure helper over F64 arguments (constants pass as I64) giving an F64.</summary>
    public static IrValue CallF64(Superblock sb, IrHelper helper, params IrValue[] args) =>
        FromBits(sb, sb.Call(helper, [.. args.Select(a => a.Type == IrType.F64 ? Bits(sb, a) : a)]));

    /// <summary>Memory operands <see cref="LoadAsF64"/> reads.</summary>
    public static bool IsValueOperand(MemorySize size) => size is MemorySize.Float32 or MemorySize.Float64
        or MemorySize.Float80 or MemorySize.Int16 or MemorySize.Int32 or MemorySize.Int64;

    /// <summary>Load a floating-point or integer memory operand (by its Iced size) as F64.</summary>
    public static IrValue LoadAsF64(LiftContext ctx, int operand)
    {
        var sb = ctx.Sb;
        var ea = ctx.EffectiveAddress(operand);
        switch (ctx.Insn.MemorySize)
        {
            case MemorySize.Float32: return sb.Unop(IrOp.FConvert, IrType.F64, ctx.Load(IrType.F32, ea));
            case MemorySize.Float64: return ctx.Load(IrType.F64, ea);
            case MemorySize.Float80: return LoadF80(ctx, ea);
            case MemorySize.Int16 or MemorySize.Int32 or MemorySize.Int64:
                var type = IrTypes.IntOfBytes(ctx.Insn.MemorySize.GetSize());
                var value = ctx.Load(type, ea);
                if (type != IrType.I64) value = sb.Unop(IrOp.SignExtend, IrType.I64, value);
                return sb.Unop(IrOp.SIntToF, IrType.F64, value);
            default: throw new InvalidOperationException($"{ctx.Insn} has no x87 value operand");
        }
    }

    /// <summary>Store an F64 to a float memory operand of 4, 8 or 10 bytes; false for other sizes.</summary>
    public static bool StoreF64(LiftContext ctx, int operand, IrValue value)
    {
        var sb = ctx.Sb;
        var ea = ctx.EffectiveAddress(operand);
        switch (ctx.Insn.MemorySize)
        {
            case MemorySize.Float32: ctx.Store(ea, sb.Unop(IrOp.FConvert, IrType.F32, value)); return true;
            case MemorySize.Float64: ctx.Store(ea, value); return true;
            case MemorySize.Float80: StoreF80(ctx, ea, value); return true;
            default: return false;
        }
    }

    public static void StoreF80(LiftContext ctx, IrValue ea, IrValue value)
    {
        var sb = ctx.Sb;
        var bits = Bits(sb, value);
        ctx.Store(ea, sb.Call(X87Helpers.F64ToF80Significand, bits));
        ctx.Store(Offset(sb, ea, 8), sb.Unop(IrOp.Truncate, IrType.I16, sb.Call(X87Helpers.F64ToF80SignExponent, bits)));
    }

    public static IrValue LoadF80(LiftContext ctx, IrValue ea)
    {
        var sb = ctx.Sb;
        var significand = ctx.Load(IrType.I64, ea);
        var signExponent = sb.Unop(IrOp.ZeroExtend, IrType.I64, ctx.Load(IrType.I16, Offset(sb, ea, 8)));
        return FromBits(sb, sb.Call(X87Helpers.F80ToF64, significand, signExponent));
    }

    public static IrValue Offset(Superblock sb, IrValue address, int offset) =>
        offset == 0 ? address : sb.Binop(IrOp.Add, IrType.I64, address, IrValue.U64((ulong)offset));

    /// <summary>The status word (I16): C3..C0 and TOP; exception flags are never raised (all masked).</summary>
    public static IrValue StatusWord(Superblock sb, X87Stack stack)
    {
        var conditions = sb.Binop(IrOp.And, sb.Get(GuestState.OffFpuC3210, IrType.I64), IrValue.U64(ConditionMask));
        var top = sb.Binop(IrOp.Shl, IrType.I64, sb.Unop(IrOp.ZeroExtend, IrType.I64, stack.Top), IrValue.U8(11));
        return sb.Unop(IrOp.Truncate, IrType.I16, sb.Binop(IrOp.Or, conditions, top));
    }

    /// <summary>Load FTOP and C3..C0 from a status word (I16).</summary>
    public static void SetStatusWord(Superblock sb, X87Stack stack, IrValue statusWord)
    {
        var sw = sb.Unop(IrOp.ZeroExtend, IrType.I64, statusWord);
        sb.Put(GuestState.OffFpuC3210, sb.Binop(IrOp.And, sw, IrValue.U64(ConditionMask)));
        var top = sb.Binop(IrOp.And, sb.Binop(IrOp.Shr, IrType.I64, sw, IrValue.U8(11)), IrValue.U64(7));
        stack.SetTop(sb.Unop(IrOp.Truncate, IrType.I32, top));
    }

    public static void PutConditions(Superblock sb, IrValue c3210) => sb.Put(GuestState.OffFpuC3210, c3210);

    public static IrValue ControlWord(Superblock sb) => sb.Get(GuestState.OffFpuControl, IrType.I64);
}
