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
        if (!explicitLengths && !writesMask && c.Insn.Immediate8 == EqualEachNegatedToEnd) return LiftEqualEachNegatedToEnd(c);
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

    /// <summary>
    /// pcmpistri $0x3a: unsigned bytes, "equal each", the result negated over the second operand's valid bytes, the
    /// least significant index. glibc's SSE4.2 strcspn, strspn and strpbrk use it on strings whose bytes past the
    /// terminator may be undefined, so it is lifted in plain IR, as VEX lifts it, where memcheck follows each byte's
    /// definedness (the helper would make the index undefined whenever any byte of either operand is).
    /// </summary>
    private const byte EqualEachNegatedToEnd = 0x3A;

    private static bool LiftEqualEachNegatedToEnd(LiftContext c)
    {
        var sb = c.Sb;
        IrValue first = Dest(c), second = Source(c, 1, aligned: false);
        var (firstHasEnd, firstValid) = ValidBytes(sb, first);
        var (secondHasEnd, secondValid) = ValidBytes(sb, second);
        var equal = ByteMask(sb, sb.Binop(IrOp.VCmpEQ, IrType.V128, first, second, IrType.I8));
        // Both bytes valid: whether they are equal; neither valid: 1 (a match); one of them only: 0.
        var bothValid = sb.Binop(IrOp.And, equal, sb.Binop(IrOp.And, firstValid, secondValid));
        var neitherValid = sb.Unop(IrOp.Not, IrType.I32, sb.Binop(IrOp.Or, firstValid, secondValid));
        var matches = sb.Binop(IrOp.And, sb.Binop(IrOp.Or, bothValid, neitherValid), IrValue.U32(0xFFFF));
        var result = sb.Binop(IrOp.And, sb.Binop(IrOp.Xor, matches, secondValid), IrValue.U32(0xFFFF));
        var index = sb.Unop(IrOp.Ctz, IrType.I32, sb.Binop(IrOp.Or, result, IrValue.U32(0x10000)));
        c.PutGpr(Iced.Intel.Register.RCX, sb.Unop(IrOp.ZeroExtend, IrType.I64, index));

        var carry = sb.Ite(sb.Binop(IrOp.CmpNE, IrType.I1, result, IrValue.U32(0)), IrValue.U32(X86Flags.CF), IrValue.U32(0));
        var zero = sb.Ite(secondHasEnd, IrValue.U32(X86Flags.ZF), IrValue.U32(0));
        var sign = sb.Ite(firstHasEnd, IrValue.U32(X86Flags.SF), IrValue.U32(0));
        var overflow = sb.Binop(IrOp.Shl, IrType.I32, sb.Binop(IrOp.And, result, IrValue.U32(1)), IrValue.U8(11));
        var flags = sb.Binop(IrOp.Or, sb.Binop(IrOp.Or, carry, zero), sb.Binop(IrOp.Or, sign, overflow));
        c.SetFlagsFromRflags(sb.Unop(IrOp.ZeroExtend, IrType.I64, flags));
        return true;
    }

    /// <summary>An I32 with bit i set from the top bit of byte i.</summary>
    private static IrValue ByteMask(Superblock sb, IrValue v) => sb.Unop(IrOp.VMoveMask, IrType.I32, v, IrType.I8);

    /// <summary>
    /// Whether the string has a zero byte, and the mask of its bytes before the first one: (1 &lt;&lt; the zero's index) -
    /// 1, or all ones without a zero. Written so that undefined bytes after the first zero leave the mask defined.
    /// </summary>
    private static (IrValue HasEnd, IrValue Valid) ValidBytes(Superblock sb, IrValue v)
    {
        var zeros = ByteMask(sb, sb.Binop(IrOp.VCmpEQ, IrType.V128, v, IrValue.Constant128(IrType.V128, 0, 0), IrType.I8));
        var hasEnd = sb.Binop(IrOp.CmpNE, IrType.I1, zeros, IrValue.U32(0));
        var end = sb.Unop(IrOp.Truncate, IrType.I8, sb.Unop(IrOp.Ctz, IrType.I32, zeros));
        var bit = sb.Ite(hasEnd, sb.Binop(IrOp.Shl, IrType.I32, IrValue.U32(1), end), IrValue.U32(0));
        return (hasEnd, sb.Binop(IrOp.Sub, bit, IrValue.U32(1)));
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
