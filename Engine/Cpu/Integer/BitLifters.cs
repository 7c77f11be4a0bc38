using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Integer.LiftHelpers;
using static Memcheck.Engine.Cpu.X86Flags;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>Bit tests, bit scans and counts, byte-granular for memory bit strings.</summary>
internal static class BitLifters
{
    private enum BitAction { Test, Set, Reset, Complement }

    public static void AddTo(GprOnlyTable t)
    {
        t.Add(Mnemonic.Bt, ctx => BitTest(ctx, BitAction.Test));
        t.Add(Mnemonic.Bts, ctx => BitTest(ctx, BitAction.Set));
        t.Add(Mnemonic.Btr, ctx => BitTest(ctx, BitAction.Reset));
        t.Add(Mnemonic.Btc, ctx => BitTest(ctx, BitAction.Complement));
        t.Add(Mnemonic.Bsf, ctx => BitScan(ctx, forward: true));
        t.Add(Mnemonic.Bsr, ctx => BitScan(ctx, forward: false));
        t.Add(Mnemonic.Tzcnt, ctx => Count(ctx, IrOp.Ctz));
        t.Add(Mnemonic.Lzcnt, ctx => Count(ctx, IrOp.Clz));
        t.Add(Mnemonic.Popcnt, Popcnt);
    }

    private static bool BitTest(LiftContext ctx, BitAction action)
    {
        var type = ctx.OperandType(0);
        IrValue value, bit;
        Action<IrValue> writeBack;
        if (ctx.IsMemory(0) && ctx.IsRegister(1))
        {
            // A register offset is signed and reaches any byte: address the byte holding the bit.
            var offset = ctx.Sx(IrType.I64, ctx.Read(1, type));
            var addr = ctx.Bin(IrOp.Add, ctx.EffectiveAddress(0), ctx.Shift(IrOp.Sar, offset, IrValue.U8(3)));
            value = ctx.Load(IrType.I8, addr);
            bit = ctx.Bin(IrOp.And, ctx.Trunc(IrType.I8, offset), IrValue.U8(7));
            writeBack = v => ctx.Store(addr, v);
        }
        else
        {
            value = ctx.Read(0, type);
            bit = ctx.Bin(IrOp.And, ctx.Read(1, IrType.I8), IrValue.U8((ulong)type.Bits() - 1));
            writeBack = v => ctx.Write(0, v);
        }
        var one = ctx.Shift(IrOp.Shl, IrValue.Constant(value.Type, 1), bit);
        var carry = ctx.Cmp(IrOp.CmpNE, ctx.Bin(IrOp.And, value, one), IrValue.Constant(value.Type, 0));
        switch (action)
        {
            case BitAction.Set: writeBack(ctx.Bin(IrOp.Or, value, one)); break;
            case BitAction.Reset: writeBack(ctx.Bin(IrOp.And, value, ctx.Sb.Unop(IrOp.Not, value.Type, one))); break;
            case BitAction.Complement: writeBack(ctx.Bin(IrOp.Xor, value, one)); break;
        }
        // CF is the bit; ZF is kept; OF SF AF PF are undefined and kept too.
        ctx.SetSomeFlags(CF, ctx.FlagBit(carry, CFShift));
        return true;
    }

    private static bool BitScan(LiftContext ctx, bool forward)
    {
        var type = ctx.OperandType(0);
        var src = ctx.Read(1, type);
        var zero = ctx.Cmp(IrOp.CmpEQ, src, IrValue.Constant(type, 0));
        var index = forward
            ? ctx.Sb.Unop(IrOp.Ctz, type, src)
            : ctx.Bin(IrOp.Sub, IrValue.Constant(type, (ulong)type.Bits() - 1), ctx.Sb.Unop(IrOp.Clz, type, src));
        // A zero source leaves the destination as it was (what the hardware does), all 64 bits of it.
        if (type == IrType.I32)
        {
            var full = ctx.Insn.Op0Register.GetFullRegister();
            ctx.PutGpr(full, ctx.Ite(zero, ctx.GetGpr(full), ctx.Zx(IrType.I64, index)));
        }
        else ctx.Write(0, ctx.Ite(zero, ctx.Read(0, type), index));
        ctx.SetFlagsFromRflags(ctx.FlagBit(zero, ZFShift));
        return true;
    }

    private static bool Count(LiftContext ctx, IrOp op)
    {
        var type = ctx.OperandType(0);
        var src = ctx.Read(1, type);
        var count = ctx.Sb.Unop(op, type, src);
        ctx.Write(0, count);
        var cf = ctx.FlagBit(ctx.Cmp(IrOp.CmpEQ, src, IrValue.Constant(type, 0)), CFShift);
        var zf = ctx.FlagBit(ctx.Cmp(IrOp.CmpEQ, count, IrValue.Constant(type, 0)), ZFShift);
        ctx.SetFlagsFromRflags(ctx.Bin(IrOp.Or, cf, zf));
        return true;
    }

    private static bool Popcnt(LiftContext ctx)
    {
        var type = ctx.OperandType(0);
        var src = ctx.Read(1, type);
        ctx.Write(0, ctx.Sb.Unop(IrOp.Popcount, type, src));
        ctx.SetFlagsFromRflags(ctx.FlagBit(ctx.Cmp(IrOp.CmpEQ, src, IrValue.Constant(type, 0)), ZFShift));
        return true;
    }
}
