using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Integer.LiftHelpers;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>
/// movs/stos/lods/cmps/scas in all sizes, honouring DF. With a rep prefix each execution of the
/// instruction does one element and jumps back to itself, so the superblock ends there and the
/// dispatcher sees every iteration (IR has no loops; a fault stops at the right element).
/// </summary>
internal static class StringLifters
{
    private enum StringOp { Movs, Stos, Lods, Cmps, Scas }

    public static void AddTo(GprOnlyTable t)
    {
        (Mnemonic Mnemonic, StringOp Op, IrType Type)[] forms =
        [
            (Mnemonic.Movsb, StringOp.Movs, IrType.I8), (Mnemonic.Movsw, StringOp.Movs, IrType.I16),
            (Mnemonic.Movsd, StringOp.Movs, IrType.I32), (Mnemonic.Movsq, StringOp.Movs, IrType.I64),
            (Mnemonic.Stosb, StringOp.Stos, IrType.I8), (Mnemonic.Stosw, StringOp.Stos, IrType.I16),
            (Mnemonic.Stosd, StringOp.Stos, IrType.I32), (Mnemonic.Stosq, StringOp.Stos, IrType.I64),
            (Mnemonic.Lodsb, StringOp.Lods, IrType.I8), (Mnemonic.Lodsw, StringOp.Lods, IrType.I16),
            (Mnemonic.Lodsd, StringOp.Lods, IrType.I32), (Mnemonic.Lodsq, StringOp.Lods, IrType.I64),
            (Mnemonic.Cmpsb, StringOp.Cmps, IrType.I8), (Mnemonic.Cmpsw, StringOp.Cmps, IrType.I16),
            (Mnemonic.Cmpsd, StringOp.Cmps, IrType.I32), (Mnemonic.Cmpsq, StringOp.Cmps, IrType.I64),
            (Mnemonic.Scasb, StringOp.Scas, IrType.I8), (Mnemonic.Scasw, StringOp.Scas, IrType.I16),
            (Mnemonic.Scasd, StringOp.Scas, IrType.I32), (Mnemonic.Scasq, StringOp.Scas, IrType.I64),
        ];
        foreach (var (mnemonic, op, type) in forms) t.Add(mnemonic, ctx => Lift(ctx, op, type));
    }

    private static bool Lift(LiftContext ctx, StringOp op, IrType type)
    {
        if (!IsStringForm(ctx.Insn)) return false; // Iced also calls SSE2 movsd/cmpsd so
        var insn = ctx.Insn;
        bool repeat = insn.HasRepPrefix || insn.HasRepnePrefix;
        ulong next = ctx.NextAddress;

        IrValue rcx = default;
        if (repeat)
        {
            rcx = ctx.GetGpr(Register.RCX);
            ctx.Sb.Exit(ctx.Cmp(IrOp.CmpEQ, rcx, IrValue.U64(0)), next, JumpKind.Boring);
        }

        var step = ctx.Shift(IrOp.Shl, ctx.Sb.Get(GuestState.OffDFlag, IrType.I64),
            IrValue.U8((ulong)System.Numerics.BitOperations.Log2((uint)type.Bytes())));
        var acc = Accumulator(type);
        IrValue? equal = null;
        switch (op)
        {
            case StringOp.Movs:
            {
                var rsi = ctx.GetGpr(Register.RSI);
                var rdi = ctx.GetGpr(Register.RDI);
                ctx.Store(rdi, ctx.Load(type, rsi));
                ctx.PutGpr(Register.RSI, ctx.Bin(IrOp.Add, rsi, step));
                ctx.PutGpr(Register.RDI, ctx.Bin(IrOp.Add, rdi, step));
                break;
            }
            case StringOp.Stos:
            {
                var rdi = ctx.GetGpr(Register.RDI);
                ctx.Store(rdi, ctx.GetGpr(acc));
                ctx.PutGpr(Register.RDI, ctx.Bin(IrOp.Add, rdi, step));
                break;
            }
            case StringOp.Lods:
            {
                var rsi = ctx.GetGpr(Register.RSI);
                ctx.PutGpr(acc, ctx.Load(type, rsi));
                ctx.PutGpr(Register.RSI, ctx.Bin(IrOp.Add, rsi, step));
                break;
            }
            case StringOp.Cmps:
            {
                var rsi = ctx.GetGpr(Register.RSI);
                var rdi = ctx.GetGpr(Register.RDI);
                var a = ctx.Load(type, rsi);
                var b = ctx.Load(type, rdi);
                ctx.SetFlags(CcOps.Sized(CcOp.Sub8, type.Bytes()), a, b, IrValue.U64(0));
                equal = ctx.Cmp(IrOp.CmpEQ, a, b);
                ctx.PutGpr(Register.RSI, ctx.Bin(IrOp.Add, rsi, step));
                ctx.PutGpr(Register.RDI, ctx.Bin(IrOp.Add, rdi, step));
                break;
            }
            case StringOp.Scas:
            {
                var rdi = ctx.GetGpr(Register.RDI);
                var a = ctx.GetGpr(acc);
                var b = ctx.Load(type, rdi);
                ctx.SetFlags(CcOps.Sized(CcOp.Sub8, type.Bytes()), a, b, IrValue.U64(0));
                equal = ctx.Cmp(IrOp.CmpEQ, a, b);
                ctx.PutGpr(Register.RDI, ctx.Bin(IrOp.Add, rdi, step));
                break;
            }
        }

        if (!repeat) return true;
        var remaining = ctx.Bin(IrOp.Sub, rcx, IrValue.U64(1));
        ctx.PutGpr(Register.RCX, remaining);
        var done = ctx.Cmp(IrOp.CmpEQ, remaining, IrValue.U64(0));
        if (equal is { } eq)
        {
            // repe stops at the first difference, repne at the first match.
            var stop = insn.HasRepePrefix ? ctx.Not1(eq) : eq;
            done = ctx.Bin(IrOp.Or, done, stop);
        }
        ctx.EndBlock(ctx.Ite(done, IrValue.U64(next), IrValue.U64(ctx.Address)), JumpKind.Boring);
        return true;
    }

    /// <summary>64-bit addressing through rSI/rDI with no segment override (fs:/gs: string ops are not supported).</summary>
    private static bool IsStringForm(in Instruction insn)
    {
        for (int i = 0; i < insn.OpCount; i++)
        {
            var kind = insn.GetOpKind(i);
            if (kind is not (OpKind.MemorySegRSI or OpKind.MemoryESRDI or OpKind.Register)) return false;
        }
        return insn.SegmentPrefix is Register.None or Register.DS or Register.ES;
    }
}
