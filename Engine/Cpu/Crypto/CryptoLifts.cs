using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Cpu.Avx;
using Memcheck.Engine.Cpu.Sse;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.Sse.SseOperands;

namespace Memcheck.Engine.Cpu.Crypto;

/// <summary>
/// AES-NI (aesenc, aesenclast, aesdec, aesdeclast, aesimc, aeskeygenassist) and pclmulqdq, legacy and VEX.128
/// encoded. The CPU has neither VAES nor VPCLMULQDQ, so their 256-bit forms stay unlifted (SIGILL). An AES step
/// is one dirty helper on the scratch slots (state and key in, result out); a carry-less product is two pure calls.
/// </summary>
internal static unsafe class CryptoLifts
{
    private enum AesStep : ulong { Encrypt, EncryptLast, Decrypt, DecryptLast, InverseMixColumns, KeyGenAssist }

    private const int OffState = GuestState.OffScratch0, OffKey = GuestState.OffScratch0 + 16, OffResult = GuestState.OffScratch0 + 32;

    /// <summary>(step, imm8): the AES step on the scratch state and key, result in the result slot.</summary>
    private static readonly IrHelper Aes = new("aesni_step", &AesEntry, 2, isPure: false,
        stateReads: [(OffState, 32)], stateWrites: [(OffResult, 16)]);

    /// <summary>(a, b, 0 low / 1 high) -> that half of the 128-bit carry-less product of a and b.</summary>
    private static readonly IrHelper CarrylessMultiply = new("pclmul_half", &CarrylessEntry, 3, isPure: true);

    public static void Register(LifterTable t)
    {
        AddXmmOnly(t, Mnemonic.Aesenc, (c, _, a, b) => Step(c, AesStep.Encrypt, a, b));
        AddXmmOnly(t, Mnemonic.Aesenclast, (c, _, a, b) => Step(c, AesStep.EncryptLast, a, b));
        AddXmmOnly(t, Mnemonic.Aesdec, (c, _, a, b) => Step(c, AesStep.Decrypt, a, b));
        AddXmmOnly(t, Mnemonic.Aesdeclast, (c, _, a, b) => Step(c, AesStep.DecryptLast, a, b));
        AddXmmOnly(t, Mnemonic.Aesimc, (c, _, _, b) => Step(c, AesStep.InverseMixColumns, b, b));
        AddXmmOnly(t, Mnemonic.Aeskeygenassist, (c, _, _, b) => Step(c, AesStep.KeyGenAssist, b, b));
        AddXmmOnly(t, Mnemonic.Pclmulqdq, Pclmulqdq);
    }

    /// <summary>A lane function for the legacy form and the VEX.128 form only.</summary>
    private static void AddXmmOnly(LifterTable t, Mnemonic legacy, LaneFunction lane)
    {
        t.Add(legacy, c => LaneWise(c, lane));
        t.Add(LifterTable.VexMnemonic(legacy), c => !VexOperands.IsYmm(c, 0) && VexLanes.Lift(c, lane));
    }

    private static IrValue Step(LiftContext c, AesStep step, IrValue state, IrValue key)
    {
        var sb = c.Sb;
        sb.Put(OffState, state);
        sb.Put(OffKey, key);
        sb.Call(Aes, IrValue.U64((ulong)step), IrValue.U64(c.Insn.Immediate8));
        return sb.Get(OffResult, IrType.V128);
    }

    /// <summary>pclmulqdq: the quadword of the first source imm[0] picks times the one of the second imm[4] picks.</summary>
    private static IrValue Pclmulqdq(LiftContext c, int half, IrValue a, IrValue b)
    {
        var sb = c.Sb;
        int imm = c.Insn.Immediate8;
        var x = (imm & 1) != 0 ? High64(sb, a) : Low64(sb, a);
        var y = (imm & 0x10) != 0 ? High64(sb, b) : Low64(sb, b);
        return FromHalves(sb, sb.Call(CarrylessMultiply, x, y, IrValue.U64(1)), sb.Call(CarrylessMultiply, x, y, IrValue.U64(0)));
    }

    [UnmanagedCallersOnly]
    private static ulong AesEntry(GuestState* s, ulong step, ulong imm, ulong a2, ulong a3)
    {
        var bytes = (byte*)s;
        var state = new Span<byte>(bytes + OffResult, 16);
        new ReadOnlySpan<byte>(bytes + OffState, 16).CopyTo(state);
        var key = new ReadOnlySpan<byte>(bytes + OffKey, 16);
        var words = MemoryMarshal.Cast<byte, uint>(state);
        switch ((AesStep)step)
        {
            case AesStep.InverseMixColumns:
                AesRound.MixColumns(state, inverse: true);
                return 0;
            case AesStep.KeyGenAssist:
                uint x1 = AesRound.SubWord(words[1]), x3 = AesRound.SubWord(words[3]);
                words[0] = x1;
                words[1] = uint.RotateRight(x1, 8) ^ (uint)imm;
                words[2] = x3;
                words[3] = uint.RotateRight(x3, 8) ^ (uint)imm;
                return 0;
        }
        bool inverse = (AesStep)step is AesStep.Decrypt or AesStep.DecryptLast;
        AesRound.ShiftRows(state, inverse);
        AesRound.SubBytes(state, inverse);
        if ((AesStep)step is AesStep.Encrypt or AesStep.Decrypt) AesRound.MixColumns(state, inverse);
        for (int i = 0; i < 16; i++) state[i] ^= key[i];
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong CarrylessEntry(GuestState* s, ulong a, ulong b, ulong high, ulong a3)
    {
        UInt128 product = 0;
        for (int i = 0; i < 64; i++)
            if ((b >> i & 1) != 0) product ^= (UInt128)a << i;
        return (ulong)(high != 0 ? product >> 64 : product);
    }
}
