using System.Numerics;
using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Sse;

/// <summary>
/// SSE4.2 crc32 (CRC-32C, no pre/post inversion): a pure helper on the accumulated value, the
/// source and its size. The 64-bit destination forms zero-extend the 32-bit result.
/// </summary>
internal static unsafe class Crc32Lift
{
    private static readonly IrHelper Helper = new("sse42_crc32c", &Crc32C, 3, isPure: true);

    public static void Register(LifterTable t) => t.Add(Mnemonic.Crc32, Lift);

    private static bool Lift(LiftContext c)
    {
        if (!IsGpr(c, 0)) return false;
        var sb = c.Sb;
        int bytes = OperandBytes(c, 1);
        var crc = sb.Unop(IrOp.ZeroExtend, IrType.I64, sb.Unop(IrOp.Truncate, IrType.I32, c.GetGpr(c.Insn.GetOpRegister(0).GetFullRegister())));
        var data = c.Read(1, IrTypes.IntOfBytes(bytes));
        if (data.Type != IrType.I64) data = sb.Unop(IrOp.ZeroExtend, IrType.I64, data);
        var result = sb.Call(Helper, crc, data, IrValue.U64((ulong)bytes));
        WriteInt(c, 0, sb.Unop(IrOp.Truncate, IrType.I32, result));
        return true;
    }

    [UnmanagedCallersOnly]
    private static ulong Crc32C(GuestState* state, ulong crc, ulong data, ulong bytes, ulong unused) => bytes switch
    {
        1 => BitOperations.Crc32C((uint)crc, (byte)data),
        2 => BitOperations.Crc32C((uint)crc, (ushort)data),
        4 => BitOperations.Crc32C((uint)crc, (uint)data),
        _ => BitOperations.Crc32C((uint)crc, data),
    };
}
