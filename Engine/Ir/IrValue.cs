namespace Memcheck.Engine.Ir;

/// <summary>
/// An operand of an IR statement: a temp (SSA, written once in its superblock) or a constant.
/// Constants of 128-bit types carry their high half in <see cref="ConstHi"/>.
/// </summary>
public readonly record struct IrValue(IrType Type, int Temp, ulong Const, ulong ConstHi)
{
    public const int NoTemp = -1;

    public static readonly IrValue None = new(IrType.None, NoTemp, 0, 0);

    public bool IsTemp => Temp >= 0 && Type != IrType.None;
    public bool IsConst => Temp < 0 && Type != IrType.None;
    public bool IsNone => Type == IrType.None;

    public static IrValue OfTemp(int temp, IrType type) => new(type, temp, 0, 0);

    public static IrValue Constant(IrType type, ulong value) =>
        new(type, NoTemp, type.IsWide() ? value : value & type.Mask(), 0);

    public static IrValue Constant128(IrType type, ulong lo, ulong hi) => new(type, NoTemp, lo, hi);

    public static IrValue U1(bool b) => Constant(IrType.I1, b ? 1UL : 0UL);
    public static IrValue U8(ulong v) => Constant(IrType.I8, v);
    public static IrValue U16(ulong v) => Constant(IrType.I16, v);
    public static IrValue U32(ulong v) => Constant(IrType.I32, v);
    public static IrValue U64(ulong v) => Constant(IrType.I64, v);

    public override string ToString() => IsTemp
        ? $"t{Temp}"
        : Type.IsWide() ? $"0x{ConstHi:x}_{Const:x16}:{Type}" : $"0x{Const:x}:{Type}";
}
