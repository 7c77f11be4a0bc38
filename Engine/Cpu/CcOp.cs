namespace Memcheck.Engine.Cpu;

/// <summary>
/// The operation recorded in the lazy flags thunk (GuestState CcOp/CcDep1/CcDep2/CcNdep).
/// Every sized operation comes in four widths, 8/16/32/64 bits, in that order, so the low two
/// bits are log2 of the operand size in bytes. What Dep1, Dep2 and Ndep hold per family:
/// <list type="bullet">
/// <item>Copy: Dep1 = the flags themselves in RFLAGS bit positions (only OSZAPC are kept).</item>
/// <item>Add, Sub, UMul, SMul: Dep1 = left operand, Dep2 = right operand.</item>
/// <item>Adc, Sbb: Dep1 = left, Dep2 = right XOR old carry, Ndep = old carry (so Dep2 carries
///   the carry's definedness, as VEX does it).</item>
/// <item>Logic: Dep1 = result.</item>
/// <item>Inc, Dec: Dep1 = result, Ndep = old flags (CF survives).</item>
/// <item>Shl, Shr, Sar: Dep1 = result, Dep2 = the value shifted one place less (gives CF and OF).</item>
/// <item>Rol, Ror: Dep1 = result, Ndep = old flags (only CF and OF change).</item>
/// </list>
/// </summary>
public enum CcOp : ulong
{
    Copy = 0,
    Add8 = 4, Add16, Add32, Add64,
    Sub8 = 8, Sub16, Sub32, Sub64,
    Adc8 = 12, Adc16, Adc32, Adc64,
    Sbb8 = 16, Sbb16, Sbb32, Sbb64,
    Logic8 = 20, Logic16, Logic32, Logic64,
    Inc8 = 24, Inc16, Inc32, Inc64,
    Dec8 = 28, Dec16, Dec32, Dec64,
    Shl8 = 32, Shl16, Shl32, Shl64,
    Shr8 = 36, Shr16, Shr32, Shr64,
    Sar8 = 40, Sar16, Sar32, Sar64,
    Rol8 = 44, Rol16, Rol32, Rol64,
    Ror8 = 48, Ror16, Ror32, Ror64,
    UMul8 = 52, UMul16, UMul32, UMul64,
    SMul8 = 56, SMul16, SMul32, SMul64,
}

public static class CcOps
{
    /// <summary>The family's member for an operand of <paramref name="bytes"/> bytes (family given by its 8-bit member).</summary>
    public static CcOp Sized(CcOp family8, int bytes) => family8 + (ulong)System.Numerics.BitOperations.Log2((uint)bytes);

    public static CcOp Family(this CcOp op) => op == CcOp.Copy ? CcOp.Copy : (CcOp)((ulong)op & ~3UL);

    public static int Bits(this CcOp op) => 8 << (int)((ulong)op & 3);
}
