namespace Memcheck.Engine.Ir;

/// <summary>Type of an IR temp or constant. I1 is a boolean held as 0 or 1.</summary>
public enum IrType : byte
{
    None,
    I1,
    I8,
    I16,
    I32,
    I64,
    I128,
    F32,
    F64,
    V128,
}

public static class IrTypes
{
    public static int Bits(this IrType type) => type switch
    {
        IrType.I1 => 1,
        IrType.I8 => 8,
        IrType.I16 => 16,
        IrType.I32 or IrType.F32 => 32,
        IrType.I64 or IrType.F64 => 64,
        IrType.I128 or IrType.V128 => 128,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "type has no width"),
    };

    public static int Bytes(this IrType type) => type == IrType.I1 ? 1 : type.Bits() / 8;

    public static bool IsInteger(this IrType type) => type is >= IrType.I1 and <= IrType.I128;

    public static bool IsWide(this IrType type) => type is IrType.I128 or IrType.V128;

    /// <summary>All-ones mask of the type's width within 64 bits.</summary>
    public static ulong Mask(this IrType type) => type.Bits() >= 64 ? ulong.MaxValue : (1UL << type.Bits()) - 1;

    public static IrType IntOfBytes(int bytes) => bytes switch
    {
        1 => IrType.I8,
        2 => IrType.I16,
        4 => IrType.I32,
        8 => IrType.I64,
        16 => IrType.I128,
        _ => throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "no integer type of that size"),
    };
}
