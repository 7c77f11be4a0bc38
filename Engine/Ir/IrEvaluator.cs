using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Memcheck.Engine.Ir;

/// <summary>
/// The semantics of every <see cref="IrOp"/>: the interpreter, the constant folder and the backend's
/// fallback all evaluate operations here, so there is exactly one definition of each.
/// Operands arrive normalised and results leave normalised: integers masked to their width (I1 is
/// 0 or 1), F32 as its bits in the low 32 bits of Lo, F64 in Lo, 128-bit types in Lo and Hi.
/// The functions are total: cases the contract calls undefined (division that faults, shift amounts
/// not reduced) give a fixed result rather than throwing, so a folded or natively called op never
/// raises. Only an op/type combination no lifter produces throws <see cref="NotSupportedException"/>.
/// Floating point follows SSE with MXCSR at its default (round to nearest, no FTZ/DAZ).
/// </summary>
public static unsafe partial class IrEvaluator
{
    public static Value128 Unop(IrOp op, IrType resultType, IrType argType, IrType lane, Value128 a)
    {
        switch (op)
        {
            case IrOp.Not:
                return resultType.IsWide() ? new Value128(~a.Lo, ~a.Hi) : Int(resultType, ~a.Lo);
            case IrOp.Neg:
                return resultType.IsWide() ? FromU128(UInt128.Zero - ToU128(a)) : Int(resultType, 0 - a.Lo);
            case IrOp.ZeroExtend:
                return argType.IsWide() ? a : new Value128(a.Lo & argType.Mask(), 0);
            case IrOp.SignExtend:
            {
                long s = SignExtend(a.Lo, argType.Bits());
                return resultType.IsWide() ? new Value128((ulong)s, s < 0 ? ulong.MaxValue : 0) : Int(resultType, (ulong)s);
            }
            case IrOp.Truncate:
                return resultType.IsWide() ? a : Int(resultType, a.Lo);
            case IrOp.HighHalf:
                return argType.IsWide() ? Int(resultType, a.Hi) : Int(resultType, a.Lo >> resultType.Bits());
            case IrOp.Clz:
                return Int(resultType, (ulong)(argType.IsWide()
                    ? (int)UInt128.LeadingZeroCount(ToU128(a))
                    : BitOperations.LeadingZeroCount(a.Lo & argType.Mask()) - (64 - argType.Bits())));
            case IrOp.Ctz:
            {
                int width = argType.Bits();
                int count = argType.IsWide() ? (int)UInt128.TrailingZeroCount(ToU128(a)) : BitOperations.TrailingZeroCount(a.Lo & argType.Mask());
                return Int(resultType, (ulong)Math.Min(count, width));
            }
            case IrOp.Popcount:
                return Int(resultType, (ulong)(BitOperations.PopCount(a.Lo & argType.Mask()) + (argType.IsWide() ? BitOperations.PopCount(a.Hi) : 0)));
            case IrOp.ByteSwap:
                return argType.Bits() switch
                {
                    16 => BinaryPrimitives.ReverseEndianness((ushort)a.Lo),
                    32 => BinaryPrimitives.ReverseEndianness((uint)a.Lo),
                    64 => BinaryPrimitives.ReverseEndianness(a.Lo),
                    128 => new Value128(BinaryPrimitives.ReverseEndianness(a.Hi), BinaryPrimitives.ReverseEndianness(a.Lo)),
                    _ => throw Unsupported(op, argType),
                };
            case IrOp.Bitcast:
                return Normalise(resultType, a);
            case IrOp.FNeg:
            case IrOp.FAbs:
            case IrOp.FSqrt:
            case IrOp.FConvert:
            case IrOp.SIntToF:
            case IrOp.FToSIntTrunc:
            case IrOp.FToSIntRound:
                return FloatUnop(op, resultType, argType, a);
            case IrOp.VMoveMask:
            case IrOp.VSplat:
                return VectorUnop(op, argType, lane, a);
            default:
                throw Unsupported(op, resultType);
        }
    }

    public static Value128 Binop(IrOp op, IrType resultType, IrType argType, IrType lane, Value128 a, Value128 b)
    {
        if (op is >= IrOp.FAdd and <= IrOp.FCmpFlags) return FloatBinop(op, argType, a, b);
        if (op == IrOp.FRoundInt) return RoundToIntegral(argType, a, (int)b.Lo);
        if (op >= IrOp.VAdd) return VectorBinop(op, resultType, lane, a, b);
        if (op == IrOp.Concat)
            return resultType.IsWide() ? new Value128(b.Lo, a.Lo) : Int(resultType, (a.Lo << (resultType.Bits() / 2)) | b.Lo);
        if (argType.IsWide()) return WideBinop(op, resultType, a, b);

        int width = argType.Bits();
        ulong x = a.Lo, y = b.Lo;
        switch (op)
        {
            case IrOp.Add: return Int(resultType, x + y);
            case IrOp.Sub: return Int(resultType, x - y);
            case IrOp.Mul: return Int(resultType, x * y);
            case IrOp.MulHiU:
                return width == 64 ? Math.BigMul(x, y, out _) : Int(resultType, (x * y) >> width);
            case IrOp.MulHiS:
                return width == 64
                    ? (ulong)Math.BigMul((long)x, (long)y, out _)
                    : Int(resultType, (ulong)((SignExtend(x, width) * SignExtend(y, width)) >> width));
            case IrOp.And: return Int(resultType, x & y);
            case IrOp.Or: return Int(resultType, x | y);
            case IrOp.Xor: return Int(resultType, x ^ y);
            case IrOp.Shl: return Int(resultType, y >= (ulong)width ? 0 : x << (int)y);
            case IrOp.Shr: return Int(resultType, y >= (ulong)width ? 0 : x >> (int)y);
            case IrOp.Sar: return Int(resultType, (ulong)(SignExtend(x, width) >> (int)Math.Min(y, (ulong)width - 1)));
            case IrOp.Rol: return Int(resultType, Rotate(x, width, (int)(y % (ulong)width)));
            case IrOp.Ror: return Int(resultType, Rotate(x, width, (int)((ulong)width - y % (ulong)width) % width));
            case IrOp.CmpEQ: return Bool(x == y);
            case IrOp.CmpNE: return Bool(x != y);
            case IrOp.CmpLTU: return Bool(x < y);
            case IrOp.CmpLEU: return Bool(x <= y);
            case IrOp.CmpLTS: return Bool(SignExtend(x, width) < SignExtend(y, width));
            case IrOp.CmpLES: return Bool(SignExtend(x, width) <= SignExtend(y, width));
            default: throw Unsupported(op, argType);
        }
    }

    public static Value128 Triop(IrOp op, IrType resultType, IrType argType, IrType lane, Value128 a, Value128 b, Value128 c)
    {
        switch (op)
        {
            case IrOp.QuotU:
            case IrOp.RemU:
            {
                int width = argType.Bits();
                if (UnsignedDivFaults(a.Lo, c.Lo)) return 0;
                UInt128 dividend = (new UInt128(a.Lo, 0) >> (64 - width)) | b.Lo;
                UInt128 result = op == IrOp.QuotU ? dividend / c.Lo : dividend % c.Lo;
                return Int(resultType, (ulong)result);
            }
            case IrOp.QuotS:
            case IrOp.RemS:
            {
                int width = argType.Bits();
                if (SignedDivFaults(width, a.Lo, b.Lo, c.Lo)) return 0;
                Int128 dividend = SignedDividend(width, a.Lo, b.Lo);
                Int128 divisor = SignExtend(c.Lo, width);
                Int128 result = op == IrOp.QuotS ? dividend / divisor : dividend % divisor;
                return Int(resultType, (ulong)result);
            }
            case IrOp.DivFaultsU:
                return Bool(UnsignedDivFaults(a.Lo, c.Lo));
            case IrOp.DivFaultsS:
                return Bool(SignedDivFaults(argType.Bits(), a.Lo, b.Lo, c.Lo));
            default:
                return VectorTriop(op, lane, a, b, c);
        }
    }

    /// <summary>
    /// Entry point for generated code: evaluates any op on operands at <paramref name="args"/>
    /// (one, two or three Value128s) and writes the normalised result. <paramref name="kind"/> is 1, 2
    /// or 3 for unop, binop, triop; the ints are the <see cref="IrOp"/>/<see cref="IrType"/> values.
    /// </summary>
    [UnmanagedCallersOnly]
    public static void EvalNative(int kind, int op, int resultType, int argType, int lane, Value128* args, Value128* result)
    {
        var o = (IrOp)op;
        var rt = (IrType)resultType;
        var at = (IrType)argType;
        var lt = (IrType)lane;
        *result = kind switch
        {
            1 => Unop(o, rt, at, lt, args[0]),
            2 => Binop(o, rt, at, lt, args[0], args[1]),
            _ => Triop(o, rt, at, lt, args[0], args[1], args[2]),
        };
    }

    /// <summary>A value of <paramref name="type"/> with everything above its width cleared.</summary>
    public static Value128 Normalise(IrType type, Value128 v) => type switch
    {
        IrType.I128 or IrType.V128 => v,
        IrType.F32 => new Value128(v.Lo & 0xFFFF_FFFF, 0),
        IrType.F64 => new Value128(v.Lo, 0),
        _ => new Value128(v.Lo & type.Mask(), 0),
    };

    private static Value128 WideBinop(IrOp op, IrType resultType, Value128 a, Value128 b)
    {
        UInt128 x = ToU128(a), y = ToU128(b);
        int amount = (int)Math.Min(b.Lo, 128);
        return op switch
        {
            IrOp.Add => FromU128(x + y),
            IrOp.Sub => FromU128(x - y),
            IrOp.Mul => FromU128(x * y),
            IrOp.And => new Value128(a.Lo & b.Lo, a.Hi & b.Hi),
            IrOp.Or => new Value128(a.Lo | b.Lo, a.Hi | b.Hi),
            IrOp.Xor => new Value128(a.Lo ^ b.Lo, a.Hi ^ b.Hi),
            IrOp.Shl => amount >= 128 ? 0 : FromU128(x << amount),
            IrOp.Shr => amount >= 128 ? 0 : FromU128(x >> amount),
            IrOp.Sar => FromU128((UInt128)((Int128)x >> Math.Min(amount, 127))),
            IrOp.CmpEQ => Bool(x == y),
            IrOp.CmpNE => Bool(x != y),
            IrOp.CmpLTU => Bool(x < y),
            IrOp.CmpLEU => Bool(x <= y),
            IrOp.CmpLTS => Bool((Int128)x < (Int128)y),
            IrOp.CmpLES => Bool((Int128)x <= (Int128)y),
            _ => throw Unsupported(op, resultType),
        };
    }

    private static bool UnsignedDivFaults(ulong high, ulong divisor) =>
        divisor == 0 || high >= divisor;

    private static bool SignedDivFaults(int width, ulong high, ulong low, ulong divisor)
    {
        if (divisor == 0) return true;
        Int128 dividend = SignedDividend(width, high, low);
        Int128 d = SignExtend(divisor, width);
        Int128 max = (Int128.One << (width - 1)) - 1, min = -max - 1;
        if (dividend == Int128.MinValue && d == -1) return true;
        Int128 quotient = dividend / d;
        return quotient > max || quotient < min;
    }

    /// <summary>The signed double-width dividend (high:low) of a division on width-bit operands.</summary>
    private static Int128 SignedDividend(int width, ulong high, ulong low) => width == 64
        ? (Int128)new UInt128(high, low)
        : SignExtend((high << width) | low, 2 * width);

    private static ulong Rotate(ulong x, int width, int left) =>
        left == 0 ? x : (x << left) | (x >> (width - left));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static long SignExtend(ulong value, int bits) =>
        bits >= 64 ? (long)value : (long)(value << (64 - bits)) >> (64 - bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Value128 Int(IrType type, ulong value) => new(value & type.Mask(), 0);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Value128 Bool(bool b) => new(b ? 1UL : 0UL, 0);

    private static UInt128 ToU128(Value128 v) => new(v.Hi, v.Lo);
    private static Value128 FromU128(UInt128 v) => new((ulong)v, (ulong)(v >> 64));

    private static NotSupportedException Unsupported(IrOp op, IrType type) =>
        new($"IR operation {op} is not defined on {type}");
}
