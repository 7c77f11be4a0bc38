using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Sse;

/// <summary>
/// pcmpistri/pcmpestri/pcmpistrm/pcmpestrm through one dirty helper: both operands go through the
/// scratch slots 0 and 1, the mask for the *strm forms comes back in scratch slot 2.
/// </summary>
internal static unsafe class SseStringLifts
{
    private const int OffA = GuestState.OffScratch0, OffB = GuestState.OffScratch0 + 16, OffMask = GuestState.OffScratch0 + 32;
    /// <summary>Set in the helper's control argument for the explicit-length forms.</summary>
    private const ulong ExplicitLengths = 0x100;

    private static readonly IrHelper Helper = new("sse42_pcmpstr", &PcmpStr, 3, isPure: false,
        stateReads: [(OffA, 32)], stateWrites: [(OffMask, 16)]);

    public static void Register(LifterTable t)
    {
        t.AddBothEncodings(Mnemonic.Pcmpistri, c => Lift(c, explicitLengths: false, writesMask: false));
        t.AddBothEncodings(Mnemonic.Pcmpestri, c => Lift(c, explicitLengths: true, writesMask: false));
        t.AddBothEncodings(Mnemonic.Pcmpistrm, c => Lift(c, explicitLengths: false, writesMask: true));
        t.AddBothEncodings(Mnemonic.Pcmpestrm, c => Lift(c, explicitLengths: true, writesMask: true));
        // The REX.W/VEX.W1 forms take 64-bit lengths; Iced names them apart.
        t.AddBothEncodings(Mnemonic.Pcmpestri64, c => Lift(c, explicitLengths: true, writesMask: false));
        t.AddBothEncodings(Mnemonic.Pcmpestrm64, c => Lift(c, explicitLengths: true, writesMask: true));
    }

    private static bool Lift(LiftContext c, bool explicitLengths, bool writesMask)
    {
        if (!IsXmm(c, 0)) return false;
        var sb = c.Sb;
        sb.Put(OffA, Dest(c));
        sb.Put(OffB, Source(c, 1, aligned: false)); // the string compares are exempt from alignment checks
        ulong control = c.Insn.Immediate8;
        IrValue lengthA = IrValue.U64(0), lengthB = IrValue.U64(0);
        if (explicitLengths)
        {
            control |= ExplicitLengths;
            bool wide = c.Insn.Mnemonic is Mnemonic.Pcmpestri64 or Mnemonic.Pcmpestrm64 or Mnemonic.Vpcmpestri64 or Mnemonic.Vpcmpestrm64;
            lengthA = Length(c, Iced.Intel.Register.RAX, wide);
            lengthB = Length(c, Iced.Intel.Register.RDX, wide);
        }
        var result = sb.Call(Helper, IrValue.U64(control), lengthA, lengthB);
        c.SetFlagsFromRflags(sb.Binop(IrOp.Shr, result, IrValue.U8(32)));
        if (writesMask)
            c.PutXmm(0, sb.Get(OffMask, IrType.V128));
        else
            c.PutGpr(Iced.Intel.Register.RCX, sb.Binop(IrOp.And, result, IrValue.U64(0xFF)));
        return true;
    }

    /// <summary>RAX/RDX with REX.W, else EAX/EDX as a signed 32-bit count.</summary>
    private static IrValue Length(LiftContext c, Iced.Intel.Register register, bool wide)
    {
        var value = c.GetGpr(register);
        return wide ? value : c.Sb.Unop(IrOp.SignExtend, IrType.I64, c.Sb.Unop(IrOp.Truncate, IrType.I32, value));
    }

    /// <summary>Returns index | RFLAGS &lt;&lt; 32 and leaves the XMM0 mask in the mask scratch slot.</summary>
    [UnmanagedCallersOnly]
    private static ulong PcmpStr(GuestState* state, ulong control, ulong lengthA, ulong lengthB, ulong unused)
    {
        var bytes = (byte*)state;
        bool explicitLengths = (control & ExplicitLengths) != 0;
        int imm = (int)(control & 0xFF);
        var r = PackedStringCompare.Compare(new ReadOnlySpan<byte>(bytes + OffA, 16), new ReadOnlySpan<byte>(bytes + OffB, 16),
            imm, explicitLengths ? (long)lengthA : null, explicitLengths ? (long)lengthB : null);
        PackedStringCompare.WriteMask(new Span<byte>(bytes + OffMask, 16), r.Mask, imm);
        return (uint)r.Index | r.Rflags << 32;
    }
}
