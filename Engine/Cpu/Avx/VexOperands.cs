using Iced.Intel;
using Memcheck.Engine.Cpu.Sse;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Cpu.Avx;

/// <summary>
/// Operand access for VEX-encoded instructions. A YMM register is two V128 halves in the guest state (its XMM
/// register and <see cref="GuestState.OffYmmHi0"/>); a 32-byte memory operand is two 16-byte loads or stores.
/// No VEX memory operand needs alignment except the aligned moves', which check it themselves.
/// </summary>
internal static class VexOperands
{
    public static bool IsVex(LiftContext c) => c.Insn.Encoding == EncodingKind.VEX;

    public static bool IsYmm(LiftContext c, int op) =>
        c.Insn.GetOpKind(op) == OpKind.Register && c.Insn.GetOpRegister(op).IsYMM();

    /// <summary>An XMM or YMM register (VEX encodes only 0-15).</summary>
    public static bool IsVectorRegister(LiftContext c, int op) => SseOperands.IsXmm(c, op) || IsYmm(c, op);

    /// <summary>Register number of an XMM or YMM operand.</summary>
    public static int Index(LiftContext c, int op)
    {
        var reg = c.Insn.GetOpRegister(op);
        return reg.IsYMM() ? reg - Register.YMM0 : reg - Register.XMM0;
    }

    /// <summary>Bytes of a vector register or memory operand.</summary>
    public static int Bytes(LiftContext c, int op) => c.IsMemory(op) ? c.Insn.MemorySize.GetSize() : c.Insn.GetOpRegister(op).GetSize();

    /// <summary>Operands that are registers or memory (not immediates).</summary>
    public static int OperandCount(LiftContext c)
    {
        int n = 0;
        for (int i = 0; i < c.Insn.OpCount; i++)
            if (!c.IsImmediate(i)) n++;
        return n;
    }

    /// <summary>
    /// A vector operand as <paramref name="halves"/> V128 values: a register's XMM part (and upper half), memory of
    /// the operand's size (narrower memory zero-extended into the first half).
    /// </summary>
    public static IrValue[] Halves(LiftContext c, int op, int halves)
    {
        if (IsVectorRegister(c, op))
        {
            int index = Index(c, op);
            return halves == 1 ? [c.GetXmm(index)] : [c.GetXmm(index), c.GetYmmHi(index)];
        }
        var addr = c.EffectiveAddress(op);
        int bytes = c.Insn.MemorySize.GetSize();
        if (bytes == 32)
        {
            var (low, high) = LoadWide(c, addr);
            return [low, high];
        }
        return [bytes == 16 ? c.Load(IrType.V128, addr) : SseOperands.FromInt(c.Sb, c.Load(IrTypes.IntOfBytes(bytes), addr))];
    }

    /// <summary>The low 128 bits of a vector operand (a register's XMM part, or memory of up to 16 bytes).</summary>
    public static IrValue Low(LiftContext c, int op) => Halves(c, op, 1)[0];

    /// <summary>Both halves of a YMM register or 32-byte memory operand.</summary>
    public static (IrValue Low, IrValue High) Wide(LiftContext c, int op)
    {
        var halves = Halves(c, op, 2);
        return (halves[0], halves[1]);
    }

    /// <summary>A 32-byte load, one guest access of two V128 pieces (checked and reported as one, with size 32).</summary>
    public static (IrValue Low, IrValue High) LoadWide(LiftContext c, IrValue addr) =>
        (c.Sb.LoadPiece(IrType.V128, addr, 32, 0), c.Sb.LoadPiece(IrType.V128, Offset(c, addr, 16), 32, 16));

    /// <summary>A 32-byte store of two halves, one guest access: nothing is written unless all of it may be.</summary>
    public static void StoreWide(LiftContext c, IrValue addr, IrValue low, IrValue high)
    {
        c.Sb.StorePiece(addr, low, 32, 0);
        c.Sb.StorePiece(Offset(c, addr, 16), high, 32, 16);
    }

    public static IrValue Offset(LiftContext c, IrValue addr, int bytes) => c.Sb.Binop(IrOp.Add, addr, IrValue.U64((ulong)bytes));

    /// <summary>
    /// Write a vector result to the register operand <paramref name="op"/>: a YMM destination takes both halves, an
    /// XMM one the low half with bits 255:128 zeroed.
    /// </summary>
    public static void Put(LiftContext c, int op, IrValue low, IrValue high)
    {
        if (IsYmm(c, op)) c.PutYmm(Index(c, op), low, high);
        else c.PutXmm(Index(c, op), low);
    }
}
