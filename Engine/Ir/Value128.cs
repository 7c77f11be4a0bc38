namespace Memcheck.Engine.Ir;

/// <summary>The runtime value of a temp of any type: integers and floats in Lo, 128-bit types in Lo and Hi.</summary>
public record struct Value128(ulong Lo, ulong Hi)
{
    public static Value128 Of(ulong lo) => new(lo, 0);
    public static implicit operator Value128(ulong lo) => new(lo, 0);
    public override readonly string ToString() => Hi == 0 ? $"0x{Lo:x}" : $"0x{Hi:x16}_{Lo:x16}";
}
