using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.StateSave;

/// <summary>
/// fxsave/fxrstor and xsave/xrstor (standard form; the CPU has no XSAVEOPT/XSAVEC/XSAVES) as IR loads and stores of
/// guest state, so access checks and memcheck's definedness see every byte they touch, as they would a mov.
/// xsave's components are x87 (bit 0 of the mask EDX:EAX AND XCR0), SSE (bit 1: XMM0-15; MXCSR with bit 1 or 2)
/// and AVX (bit 2: the upper halves of YMM0-15 at offset 576); the XSAVE header follows the legacy region at 512.
/// </summary>
internal static class StateSaveLifters
{
    private const int HeaderOffset = 512, AvxOffset = 576;
    private const int X87 = 0, Sse = 1, Avx = 2;

    public static void Register(LifterTable t)
    {
        foreach (var m in (Mnemonic[])[Mnemonic.Fxsave, Mnemonic.Fxsave64]) t.Add(m, FxSave);
        foreach (var m in (Mnemonic[])[Mnemonic.Fxrstor, Mnemonic.Fxrstor64]) t.Add(m, FxRestore);
        foreach (var m in (Mnemonic[])[Mnemonic.Xsave, Mnemonic.Xsave64]) t.Add(m, XSave);
        foreach (var m in (Mnemonic[])[Mnemonic.Xrstor, Mnemonic.Xrstor64]) t.Add(m, XRestore);
    }

    private static bool FxSave(LiftContext c)
    {
        var ea = c.EffectiveAddress(0);
        FaultUnlessAligned(c, ea, 16);
        var image = StateImage.Whole(c, ea);
        LegacyRegion.SaveX87(c, image);
        LegacyRegion.SaveMxcsr(c, image);
        LegacyRegion.SaveXmm(c, image);
        return true;
    }

    private static bool FxRestore(LiftContext c)
    {
        var ea = c.EffectiveAddress(0);
        FaultUnlessAligned(c, ea, 16);
        var image = StateImage.Whole(c, ea);
        var x87 = LegacyRegion.RestoreX87(c, image);
        var mxcsr = LegacyRegion.LoadMxcsr(image);
        var xmm = LegacyRegion.RestoreXmm(c, image);
        FaultOnReservedMxcsrBits(c, mxcsr, IrValue.U1(true));
        x87();
        c.Sb.Put(GuestState.OffMxcsr, mxcsr);
        xmm();
        return true;
    }

    /// <summary>xsave: each selected component's registers; XSTATE_BV gets the selected bits set (every component counts as in use).</summary>
    private static bool XSave(LiftContext c)
    {
        var sb = c.Sb;
        var ea = c.EffectiveAddress(0);
        FaultUnlessAligned(c, ea, 64);
        var mask = RequestedFeatures(c);
        LegacyRegion.SaveX87(c, Component(c, ea, mask, X87, IrValue.None));
        LegacyRegion.SaveMxcsr(c, StateImage.Component(c, ea, MxcsrSelected(c, mask), IrValue.None));
        LegacyRegion.SaveXmm(c, Component(c, ea, mask, Sse, IrValue.None));
        var avx = Component(c, ea, mask, Avx, IrValue.None);
        for (int i = 0; i < 16; i++) avx.Store(AvxOffset + 16 * i, c.GetYmmHi(i));
        var header = StateImage.Whole(c, ea);
        var stateBits = header.Load(IrType.I64, HeaderOffset);
        header.Store(HeaderOffset, sb.Binop(IrOp.Or, stateBits, mask));
        return true;
    }

    /// <summary>
    /// xrstor: a selected component comes from the image when its XSTATE_BV bit is set, else returns to its initial
    /// state (zeros, x87's default control word); MXCSR is read whenever SSE or AVX is selected. #GP for a compacted
    /// image (XCOMP_BV not 0), XSTATE_BV bits outside XCR0, or reserved MXCSR bits, before any register changes.
    /// </summary>
    private static bool XRestore(LiftContext c)
    {
        var sb = c.Sb;
        var ea = c.EffectiveAddress(0);
        FaultUnlessAligned(c, ea, 64);
        var mask = RequestedFeatures(c);
        var header = StateImage.Whole(c, ea);
        var stateBits = header.Load(IrType.I64, HeaderOffset);
        var compaction = header.Load(IrType.I64, HeaderOffset + 8);
        var badHeader = sb.Binop(IrOp.Or, compaction, sb.Binop(IrOp.And, stateBits, IrValue.U64(~CpuidTable.Xcr0)));
        c.FaultExit(sb.Binop(IrOp.CmpNE, IrType.I1, badHeader, IrValue.U64(0)), JumpKind.GeneralProtection);

        var x87 = LegacyRegion.RestoreX87(c, Component(c, ea, mask, X87, stateBits));
        var mxcsrSelected = MxcsrSelected(c, mask);
        var mxcsr = LegacyRegion.LoadMxcsr(StateImage.Component(c, ea, mxcsrSelected, IrValue.None));
        var xmm = LegacyRegion.RestoreXmm(c, Component(c, ea, mask, Sse, stateBits));
        var avx = Component(c, ea, mask, Avx, stateBits);
        var upper = new IrValue[16];
        for (int i = 0; i < 16; i++) upper[i] = avx.Load(IrType.V128, AvxOffset + 16 * i);
        FaultOnReservedMxcsrBits(c, mxcsr, mxcsrSelected);

        x87();
        sb.Put(GuestState.OffMxcsr, sb.Ite(mxcsrSelected, mxcsr, sb.Get(GuestState.OffMxcsr, IrType.I32)));
        xmm();
        for (int i = 0; i < 16; i++) sb.Put(GuestState.YmmHiOffset(i), avx.Pick(upper[i], Zero, () => c.GetYmmHi(i)));
        return true;
    }

    /// <summary>The requested-feature bitmap: EDX:EAX AND XCR0.</summary>
    private static IrValue RequestedFeatures(LiftContext c)
    {
        var sb = c.Sb;
        var edxEax = sb.Binop(IrOp.Concat, IrType.I64, c.GetGpr(Iced.Intel.Register.EDX), c.GetGpr(Iced.Intel.Register.EAX));
        return sb.Binop(IrOp.And, edxEax, IrValue.U64(CpuidTable.Xcr0));
    }

    private static IrValue Bit(LiftContext c, IrValue bits, int component) =>
        c.Sb.Binop(IrOp.CmpNE, IrType.I1, c.Sb.Binop(IrOp.And, bits, IrValue.U64(1UL << component)), IrValue.U64(0));

    private static StateImage Component(LiftContext c, IrValue ea, IrValue mask, int component, IrValue stateBits) =>
        StateImage.Component(c, ea, Bit(c, mask, component), stateBits.IsNone ? IrValue.None : Bit(c, stateBits, component));

    /// <summary>MXCSR belongs to both the SSE and the AVX component.</summary>
    private static IrValue MxcsrSelected(LiftContext c, IrValue mask) =>
        c.Sb.Binop(IrOp.CmpNE, IrType.I1, c.Sb.Binop(IrOp.And, mask, IrValue.U64(1UL << Sse | 1UL << Avx)), IrValue.U64(0));

    private static void FaultOnReservedMxcsrBits(LiftContext c, IrValue mxcsr, IrValue selected)
    {
        var sb = c.Sb;
        var reserved = sb.Binop(IrOp.CmpNE, IrType.I1, sb.Binop(IrOp.And, mxcsr, IrValue.U32(~LegacyRegion.MxcsrMask)), IrValue.U32(0));
        c.FaultExit(sb.Binop(IrOp.And, reserved, selected), JumpKind.GeneralProtection);
    }
}
