using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Integer.LiftHelpers;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>
/// movs/stos/lods/cmps/scas in all sizes, honouring DF. IR has no loops, so with a rep prefix each
/// execution of the block does up to <see cref="UnrolledIterations"/> elements and then jumps back
/// to the instruction itself while rCX is not exhausted.
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

    /// <summary>Elements a rep-prefixed instruction handles per execution of its block.</summary>
    private const int UnrolledIterations = 8;

    private static bool Lift(LiftContext ctx, StringOp op, IrType type)
    {
        if (!IsStringForm(ctx.Insn)) return false; // Iced also calls SSE2 movsd/cmpsd so
        var insn = ctx.Insn;
        var step = ctx.Shift(IrOp.Shl, ctx.Sb.Get(GuestState.OffDFlag, IrType.I64),
            IrValue.U8((ulong)System.Numerics.BitOperations.Log2((uint)type.Bytes())));
        if (!insn.HasRepPrefix && !insn.HasRepnePrefix)
        {
            Element(ctx, op, type, step);
            return true;
        }

        // Each iteration leaves the state consistent (rSI, rDI, rCX advanced), so exits between
        // iterations and faults inside one restart correctly, as the hardware's rep does.
        ulong next = ctx.NextAddress;
        var rcx = ctx.GetGpr(Register.RCX);
        for (int i = 0; i < UnrolledIterations; i++)
        {
            ctx.Sb.Exit(ctx.Cmp(IrOp.CmpEQ, rcx, IrValue.U64(0)), next, JumpKind.Boring);
            var equal = Element(ctx, op, type, step);
            rcx = ctx.Bin(IrOp.Sub, rcx, IrValue.U64(1));
            ctx.PutGpr(Register.RCX, rcx);
            // repe stops at the first difference, repne at the first match.
            if (equal is { } eq) ctx.Sb.Exit(insn.HasRepePrefix ? ctx.Not1(eq) : eq, next, JumpKind.Boring);
        }
        // Both ways out are constant targets, so the loop back to the instruction chains to itself.
        ctx.Sb.Exit(ctx.Cmp(IrOp.CmpEQ, rcx, IrValue.U64(0)), next, JumpKind.Boring);
        ctx.EndBlock(IrValue.U64(ctx.Address), JumpKind.Boring);
        return true;
    }

    /// <summary>One element; for cmps/scas returns whether the compared elements were equal.</summary>
    private static IrValue? Element(LiftContext ctx, StringOp op, IrType type, IrValue step)
    {
        var acc = Accumulator(type);
        switch (op)
        {
            case StringOp.Movs:
            {
                var rsi = ctx.GetGpr(Register.RSI);
                var rdi = ctx.GetGpr(Register.RDI);
                ctx.Store(rdi, ctx.Load(type, rsi));
                ctx.PutGpr(Register.RSI, ctx.Bin(IrOp.Add, rsi, step));
                ctx.PutGpr(Register.RDI, ctx.Bin(IrOp.Add, rdi, step));
                return null;
            }
            case StringOp.Stos:
            {
                var rdi = ctx.GetGpr(Register.RDI);
                ctx.Store(rdi, ctx.GetGpr(acc));
                ctx.PutGpr(Register.RDI, ctx.Bin(IrOp.Add, rdi, step));
                return null;
            }
            case StringOp.Lods:
            {
                var rsi = ctx.GetGpr(Register.RSI);
                ctx.PutGpr(acc, ctx.Load(type, rsi));
                ctx.PutGpr(Register.RSI, ctx.Bin(IrOp.Add, rsi, step));
                return null;
            }
            case StringOp.Cmps:
            {
                var rsi = ctx.GetGpr(Register.RSI);
                var rdi = ctx.GetGpr(Register.RDI);
                var a = ctx.Load(type, rsi);
                var b = ctx.Load(type, rdi);
                ctx.SetFlags(CcOps.Sized(CcOp.Sub8, type.Bytes()), a, b, IrValue.U64(0));
                ctx.PutGpr(Register.RSI, ctx.Bin(IrOp.Add, rsi, step));
                ctx.PutGpr(Register.RDI, ctx.Bin(IrOp.Add, rdi, step));
                return ctx.Cmp(IrOp.CmpEQ, a, b);
            }
            default:
            {
                var rdi = ctx.GetGpr(Register.RDI);
                var a = ctx.GetGpr(acc);
                var b = ctx.Load(type, rdi);
                ctx.SetFlags(CcOps.Sized(CcOp.Sub8, type.Bytes()), a, b, IrValue.U64(0));
                ctx.PutGpr(Register.RDI, ctx.Bin(IrOp.Add, rdi, step));
                return ctx.Cmp(IrOp.CmpEQ, a, b);
            }
        }
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
