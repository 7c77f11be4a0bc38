using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Avx.VexOperands;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Avx;

/// <summary>
/// Accesses element by element under a mask: vmaskmovps/pd, vpmaskmovd/q, maskmovdqu/vmaskmovdqu and the AVX2
/// gathers. An element the mask leaves out must not be touched at all: it may lie outside mapped memory, as past
/// the end of an array in a vectorised loop's tail. Its load or store is redirected to the guest's stack top
/// (always mapped and addressable; a store there writes back what was just read), so every access stays a plain,
/// checked IR load or store of the element's size.
/// </summary>
internal static class MaskedAccess
{
    /// <summary>Gathers: (mnemonic, index lane, data lane).</summary>
    private static readonly (Mnemonic Mnemonic, IrType Index, IrType Data)[] Gathers =
    [
        (Mnemonic.Vgatherdps, IrType.I32, IrType.I32), (Mnemonic.Vpgatherdd, IrType.I32, IrType.I32),
        (Mnemonic.Vgatherdpd, IrType.I32, IrType.I64), (Mnemonic.Vpgatherdq, IrType.I32, IrType.I64),
        (Mnemonic.Vgatherqps, IrType.I64, IrType.I32), (Mnemonic.Vpgatherqd, IrType.I64, IrType.I32),
        (Mnemonic.Vgatherqpd, IrType.I64, IrType.I64), (Mnemonic.Vpgatherqq, IrType.I64, IrType.I64),
    ];

    public static void Register(LifterTable t)
    {
        t.Add(Mnemonic.Vmaskmovps, c => MaskedMove(c, IrType.I32));
        t.Add(Mnemonic.Vmaskmovpd, c => MaskedMove(c, IrType.I64));
        t.Add(Mnemonic.Vpmaskmovd, c => MaskedMove(c, IrType.I32));
        t.Add(Mnemonic.Vpmaskmovq, c => MaskedMove(c, IrType.I64));
        t.AddBothEncodings(Mnemonic.Maskmovdqu, MaskedByteStore);
        foreach (var (m, index, data) in Gathers) t.Add(m, c => Gather(c, index, data));
    }

    /// <summary>I1: the sign bit of lane <paramref name="i"/> of <paramref name="mask"/> (lanes counted across the halves).</summary>
    private static IrValue Selected(Superblock sb, IrValue[] mask, int i, IrType lane)
    {
        int perHalf = 16 / lane.Bytes();
        var value = Lane(sb, mask[i / perHalf], i % perHalf, lane);
        return sb.Binop(IrOp.CmpLTS, IrType.I1, value, IrValue.Constant(lane, 0));
    }

    /// <summary>An address formed outside LiftContext's operand decoding: 32 bits with an address-size prefix, plus an FS/GS base.</summary>
    private static IrValue Segmented(LiftContext c, IrValue address)
    {
        var sb = c.Sb;
        if (c.Insn.MemoryBase.IsGPR32() || c.Insn.Op0Kind == OpKind.MemorySegEDI)
            address = sb.Unop(IrOp.ZeroExtend, IrType.I64, sb.Unop(IrOp.Truncate, IrType.I32, address));
        if (c.Insn.SegmentPrefix == Iced.Intel.Register.FS) address = sb.Binop(IrOp.Add, address, sb.Get(GuestState.OffFsBase, IrType.I64));
        else if (c.Insn.SegmentPrefix == Iced.Intel.Register.GS) address = sb.Binop(IrOp.Add, address, sb.Get(GuestState.OffGsBase, IrType.I64));
        return address;
    }

    private static IrValue ElementAddress(LiftContext c, IrValue start, int i, IrType lane) => Offset(c, start, i * lane.Bytes());

    /// <summary>The element at <paramref name="addr"/> when selected, else zero, without touching an unselected element.</summary>
    private static IrValue LoadIf(LiftContext c, IrValue selected, IrValue addr, IrType type)
    {
        var sb = c.Sb;
        var value = c.Load(type, sb.Ite(selected, addr, c.GetGpr(Iced.Intel.Register.RSP)));
        return sb.Ite(selected, value, IrValue.Constant(type, 0));
    }

    /// <summary>Stores the element when selected; otherwise the stack top gets back its own bytes.</summary>
    private static void StoreIf(LiftContext c, IrValue selected, IrValue addr, IrValue value)
    {
        var sb = c.Sb;
        var rsp = c.GetGpr(Iced.Intel.Register.RSP);
        var unchanged = c.Load(value.Type, rsp);
        c.Store(sb.Ite(selected, addr, rsp), sb.Ite(selected, value, unchanged));
    }

    /// <summary>
    /// vmaskmov load (dst, mask, mem): selected lanes loaded, the others zero; store (mem, mask, src): only the
    /// selected lanes written.
    /// </summary>
    private static bool MaskedMove(LiftContext c, IrType lane)
    {
        if (!IsVex(c)) return false;
        var sb = c.Sb;
        int lanes16 = 16 / lane.Bytes();
        if (IsVectorRegister(c, 0) && c.IsMemory(2))
        {
            int halves = Bytes(c, 0) / 16;
            var mask = Halves(c, 1, halves);
            var start = c.EffectiveAddress(2);
            var result = new[] { Zero, Zero };
            for (int i = 0; i < halves * lanes16; i++)
            {
                var value = LoadIf(c, Selected(sb, mask, i, lane), ElementAddress(c, start, i, lane), lane);
                result[i / lanes16] = WithLane(sb, result[i / lanes16], i % lanes16, value);
            }
            Put(c, 0, result[0], result[1]);
            return true;
        }
        if (c.IsMemory(0) && IsVectorRegister(c, 2))
        {
            int halves = Bytes(c, 2) / 16;
            var mask = Halves(c, 1, halves);
            var source = Halves(c, 2, halves);
            var start = c.EffectiveAddress(0);
            for (int i = 0; i < halves * lanes16; i++)
                StoreIf(c, Selected(sb, mask, i, lane), ElementAddress(c, start, i, lane), Lane(sb, source[i / lanes16], i % lanes16, lane));
            return true;
        }
        return false;
    }

    /// <summary>maskmovdqu/vmaskmovdqu src, mask: the bytes of src whose mask byte has its top bit set, to [rdi] (DS, or a segment override).</summary>
    private static bool MaskedByteStore(LiftContext c)
    {
        var insn = c.Insn;
        if (!IsXmm(c, 1) || !IsXmm(c, 2) || insn.Op0Kind is not (OpKind.MemorySegRDI or OpKind.MemorySegEDI)) return false;
        var sb = c.Sb;
        var start = Segmented(c, c.GetGpr(Iced.Intel.Register.RDI));
        IrValue[] mask = [c.GetXmm(XmmIndex(c, 2))];
        var source = c.GetXmm(XmmIndex(c, 1));
        for (int i = 0; i < 16; i++)
            StoreIf(c, Selected(sb, mask, i, IrType.I8), ElementAddress(c, start, i, IrType.I8), Lane(sb, source, i, IrType.I8));
        return true;
    }

    /// <summary>
    /// vgather*/vpgather* dst, [base + index*scale + disp], mask: each element whose mask lane is negative is loaded
    /// from its own address, the others keep dst's value; then the mask register is cleared. As many elements as both
    /// the index and the destination hold; a 128-bit destination with fewer elements has its upper lanes zeroed. A
    /// fault leaves everything as it was (the hardware would have gathered and unmasked the elements before it; a
    /// restart gathers them again). Destination, index and mask naming one register is #UD.
    /// </summary>
    private static bool Gather(LiftContext c, IrType index, IrType data)
    {
        var insn = c.Insn;
        if (!IsVex(c) || !IsVectorRegister(c, 0) || !IsVectorRegister(c, 2) || !c.IsMemory(1)) return false;
        var indexRegister = insn.MemoryIndex;
        int destination = Index(c, 0), mask = Index(c, 2);
        int indexNumber = indexRegister.IsYMM() ? indexRegister - Iced.Intel.Register.YMM0 : indexRegister - Iced.Intel.Register.XMM0;
        if (destination == mask || destination == indexNumber || mask == indexNumber) return false;
        var sb = c.Sb;
        int destinationBytes = Bytes(c, 0), indexBytes = indexRegister.GetSize();
        int elements = Math.Min(indexBytes / index.Bytes(), destinationBytes / data.Bytes());
        int perHalf = 16 / data.Bytes(), indexPerHalf = 16 / index.Bytes();

        var indices = indexBytes == 32
            ? [c.GetXmm(indexNumber), c.GetYmmHi(indexNumber)]
            : new[] { c.GetXmm(indexNumber) };
        var masks = Halves(c, 2, destinationBytes / 16);
        var result = Halves(c, 0, destinationBytes / 16);
        var fixedPart = IrValue.U64(insn.MemoryDisplacement64);
        if (insn.MemoryBase != Iced.Intel.Register.None) fixedPart = sb.Binop(IrOp.Add, fixedPart, c.GetGpr(insn.MemoryBase.GetFullRegister()));
        for (int i = 0; i < elements; i++)
        {
            var offset = sb.Unop(IrOp.SignExtend, IrType.I64, Lane(sb, indices[i / indexPerHalf], i % indexPerHalf, index));
            var scaled = sb.Binop(IrOp.Mul, offset, IrValue.U64((ulong)insn.MemoryIndexScale));
            var selected = Selected(sb, masks, i, data);
            var loaded = LoadIf(c, selected, Segmented(c, sb.Binop(IrOp.Add, fixedPart, scaled)), data);
            var half = result[i / perHalf];
            result[i / perHalf] = WithLane(sb, half, i % perHalf, sb.Ite(selected, loaded, Lane(sb, half, i % perHalf, data)));
        }
        // Lanes past the gathered elements: zero in a 128-bit destination (vgatherqps xmm, vm64x), kept in none.
        for (int i = elements; i < destinationBytes / data.Bytes(); i++)
            result[i / perHalf] = WithLane(sb, result[i / perHalf], i % perHalf, IrValue.Constant(data, 0));
        Put(c, 0, result[0], result[^1]);
        Put(c, 2, Zero, Zero);
        return true;
    }
}
