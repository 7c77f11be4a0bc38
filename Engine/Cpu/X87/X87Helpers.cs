using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu.X87;

/// <summary>
/// Pure helpers for the x87 operations the IR has no op for: 80-bit conversions, rounding by the
/// control word, classification and the transcendental functions. Every argument and result is
/// a 64-bit pattern (F64 values as their bits); none touches guest state or memory, so memcheck
/// treats each call as "result defined iff all arguments are".
/// </summary>
public static unsafe class X87Helpers
{
    public static readonly IrHelper F80ToF64 = Pure("x87_f80_to_f64", &F80ToF64Impl, 2);
    public static readonly IrHelper F64ToF80Significand = Pure("x87_f64_to_f80_significand", &F64ToF80SignificandImpl, 1);
    public static readonly IrHelper F64ToF80SignExponent = Pure("x87_f64_to_f80_sign_exponent", &F64ToF80SignExponentImpl, 1);
    /// <summary>(value, control word, size in bytes) -> the integer fist stores.</summary>
    public static readonly IrHelper ToInteger = Pure("x87_to_integer", &ToIntegerImpl, 3);
    /// <summary>(value, control word) -> frndint's result.</summary>
    public static readonly IrHelper RoundToIntegral = Pure("x87_round_to_integral", &RoundToIntegralImpl, 2);
    /// <summary>(value, tag) -> fxam's C3..C0 in status-word positions.</summary>
    public static readonly IrHelper Examine = Pure("x87_fxam", &ExamineImpl, 2);
    /// <summary>(value, tag) -> the two-bit tag fnstenv stores (0 valid, 1 zero, 2 special, 3 empty).</summary>
    public static readonly IrHelper EnvironmentTag = Pure("x87_env_tag", &EnvironmentTagImpl, 2);
    /// <summary>(value, function) -> sin/cos/tan, or the value itself when |value| >= 2^63 (C2 set).</summary>
    public static readonly IrHelper Trig = Pure("x87_trig", &TrigImpl, 2);
    /// <summary>value -> C2 in status-word position when the value is out of fsin's range.</summary>
    public static readonly IrHelper TrigOutOfRange = Pure("x87_trig_out_of_range", &TrigOutOfRangeImpl, 1);
    /// <summary>(st1, st0, function) -> fpatan, fyl2x, fyl2xp1 or fscale's result.</summary>
    public static readonly IrHelper Binary = Pure("x87_binary", &BinaryImpl, 3);
    /// <summary>(st0, function) -> f2xm1's result, or the exponent or significand fxtract produces.</summary>
    public static readonly IrHelper Unary = Pure("x87_unary", &UnaryImpl, 2);
    /// <summary>(st0, st1, ieee) -> fprem (ieee 0) or fprem1's remainder.</summary>
    public static readonly IrHelper Remainder = Pure("x87_remainder", &RemainderImpl, 3);
    /// <summary>(st0, st1, ieee) -> the quotient bits fprem leaves in C0, C3, C1.</summary>
    public static readonly IrHelper RemainderFlags = Pure("x87_remainder_flags", &RemainderFlagsImpl, 3);

    private static IrHelper Pure(string name, delegate* unmanaged<GuestState*, ulong, ulong, ulong, ulong, ulong> f, int args) =>
        new(name, f, args, isPure: true);

    public enum TrigFunction : ulong { Sin, Cos, Tan }
    public enum BinaryFunction : ulong { Atan2, Yl2x, Yl2xp1, Scale }
    public enum UnaryFunction : ulong { Exp2Minus1, Exponent, Significand }

    private const ulong C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;
    private const double TwoTo63 = 9223372036854775808.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double D(ulong bits) => BitConverter.UInt64BitsToDouble(bits);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong B(double value) => BitConverter.DoubleToUInt64Bits(value);

    [UnmanagedCallersOnly]
    private static ulong F80ToF64Impl(GuestState* s, ulong significand, ulong signExponent, ulong a2, ulong a3) =>
        Float80.ToF64Bits(significand, (ushort)signExponent);

    [UnmanagedCallersOnly]
    private static ulong F64ToF80SignificandImpl(GuestState* s, ulong bits, ulong a1, ulong a2, ulong a3) =>
        Float80.FromF64Bits(bits).Significand;

    [UnmanagedCallersOnly]
    private static ulong F64ToF80SignExponentImpl(GuestState* s, ulong bits, ulong a1, ulong a2, ulong a3) =>
        Float80.FromF64Bits(bits).SignExponent;

    [UnmanagedCallersOnly]
    private static ulong ToIntegerImpl(GuestState* s, ulong bits, ulong controlWord, ulong size, ulong a3) =>
        X87Math.ToInteger(D(bits), controlWord, (int)size);

    [UnmanagedCallersOnly]
    private static ulong RoundToIntegralImpl(GuestState* s, ulong bits, ulong controlWord, ulong a2, ulong a3) =>
        B(X87Math.Round(D(bits), controlWord));

    [UnmanagedCallersOnly]
    private static ulong ExamineImpl(GuestState* s, ulong bits, ulong tag, ulong a2, ulong a3)
    {
        ulong sign = bits >> 63 != 0 ? C1 : 0;
        return sign | (ulong)(tag == 0 ? X87Class.Empty : Float80.Classify(bits));
    }

    [UnmanagedCallersOnly]
    private static ulong EnvironmentTagImpl(GuestState* s, ulong bits, ulong tag, ulong a2, ulong a3) =>
        tag == 0 ? 3UL : Float80.Classify(bits) switch
        {
            X87Class.Normal => 0UL,
            X87Class.Zero => 1UL,
            _ => 2UL,
        };

    [UnmanagedCallersOnly]
    private static ulong TrigImpl(GuestState* s, ulong bits, ulong function, ulong a2, ulong a3)
    {
        double x = D(bits);
        if (Math.Abs(x) >= TwoTo63) return bits; // includes infinities: C2 tells the guest to reduce
        return B((TrigFunction)function switch
        {
            TrigFunction.Sin => Math.Sin(x),
            TrigFunction.Cos => Math.Cos(x),
            _ => Math.Tan(x),
        });
    }

    [UnmanagedCallersOnly]
    private static ulong TrigOutOfRangeImpl(GuestState* s, ulong bits, ulong a1, ulong a2, ulong a3) =>
        Math.Abs(D(bits)) >= TwoTo63 ? C2 : 0;

    [UnmanagedCallersOnly]
    private static ulong BinaryImpl(GuestState* s, ulong st1, ulong st0, ulong function, ulong a3) =>
        B((BinaryFunction)function switch
        {
            BinaryFunction.Atan2 => Math.Atan2(D(st1), D(st0)),
            BinaryFunction.Yl2x => D(st1) * Math.Log2(D(st0)),
            BinaryFunction.Yl2xp1 => D(st1) * X87Math.Log2OnePlus(D(st0)),
            _ => X87Math.Scale(D(st0), D(st1)),
        });

    [UnmanagedCallersOnly]
    private static ulong UnaryImpl(GuestState* s, ulong st0, ulong function, ulong a2, ulong a3) =>
        B((UnaryFunction)function switch
        {
            UnaryFunction.Exp2Minus1 => X87Math.Exp2Minus1(D(st0)),
            UnaryFunction.Exponent => X87Math.Exponent(D(st0)),
            _ => X87Math.Significand(D(st0)),
        });

    [UnmanagedCallersOnly]
    private static ulong RemainderImpl(GuestState* s, ulong st0, ulong st1, ulong ieee, ulong a3) =>
        B(X87Math.Remainder(D(st0), D(st1), ieee != 0).Value);

    [UnmanagedCallersOnly]
    private static ulong RemainderFlagsImpl(GuestState* s, ulong st0, ulong st1, ulong ieee, ulong a3)
    {
        int q = X87Math.Remainder(D(st0), D(st1), ieee != 0).QuotientLow3;
        return ((q & 4) != 0 ? C0 : 0) | ((q & 2) != 0 ? C3 : 0) | ((q & 1) != 0 ? C1 : 0);
    }
}
