using System.Numerics;
using System.Runtime.InteropServices;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.X86Flags;

namespace Memcheck.Engine.Cpu;

/// <summary>
/// Exact x86 status flags from the lazy thunk. Pure IR helpers: <see cref="RflagsAll"/>
/// (op, dep1, dep2, ndep) -> OSZAPC in RFLAGS positions, and one condition helper per x86
/// condition, <see cref="Condition"/>[cond] (op, dep1, dep2, ndep) -> 0 or 1. The condition is
/// part of the helper's identity because a helper takes at most four arguments.
/// </summary>
public static unsafe class FlagHelpers
{
    public static readonly IrHelper RflagsAll = new("amd64g_rflags_all", &RflagsAllEntry, 4, isPure: true);

    public static readonly IrHelper[] Condition = MakeConditionHelpers();

    /// <summary>Which condition a condition helper evaluates, or null for other helpers.</summary>
    public static X86Condition? ConditionOf(IrHelper helper)
    {
        int i = Array.IndexOf(Condition, helper);
        return i < 0 ? null : (X86Condition)i;
    }

    private static IrHelper[] MakeConditionHelpers() =>
    [
        new("amd64g_condition_o", &CondO, 4, true), new("amd64g_condition_no", &CondNO, 4, true),
        new("amd64g_condition_b", &CondB, 4, true), new("amd64g_condition_ae", &CondAE, 4, true),
        new("amd64g_condition_e", &CondE, 4, true), new("amd64g_condition_ne", &CondNE, 4, true),
        new("amd64g_condition_be", &CondBE, 4, true), new("amd64g_condition_a", &CondA, 4, true),
        new("amd64g_condition_s", &CondS, 4, true), new("amd64g_condition_ns", &CondNS, 4, true),
        new("amd64g_condition_p", &CondP, 4, true), new("amd64g_condition_np", &CondNP, 4, true),
        new("amd64g_condition_l", &CondL, 4, true), new("amd64g_condition_ge", &CondGE, 4, true),
        new("amd64g_condition_le", &CondLE, 4, true), new("amd64g_condition_g", &CondG, 4, true),
    ];

    /// <summary>OSZAPC of the thunk, in RFLAGS bit positions.</summary>
    public static ulong Compute(CcOp op, ulong dep1, ulong dep2, ulong ndep)
    {
        if (op == CcOp.Copy) return dep1 & Oszapc;
        int bits = op.Bits();
        ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        ulong sign = 1UL << (bits - 1);
        ulong a = dep1 & mask, b = dep2 & mask;
        ulong res, cf, of, af;
        switch (op.Family())
        {
            case CcOp.Add8:
                res = (a + b) & mask;
                cf = res < a ? 1UL : 0;
                of = ((a ^ ~b) & (a ^ res) & sign) != 0 ? 1UL : 0;
                af = (a ^ b ^ res) & AF;
                break;
            case CcOp.Sub8:
                res = (a - b) & mask;
                cf = a < b ? 1UL : 0;
                of = ((a ^ b) & (a ^ res) & sign) != 0 ? 1UL : 0;
                af = (a ^ b ^ res) & AF;
                break;
            case CcOp.Adc8:
            {
                ulong oldC = ndep & 1, r = (dep2 ^ oldC) & mask;
                res = (a + r + oldC) & mask;
                cf = (oldC != 0 ? res <= a : res < a) ? 1UL : 0;
                of = ((a ^ ~r) & (a ^ res) & sign) != 0 ? 1UL : 0;
                af = (a ^ r ^ res) & AF;
                break;
            }
            case CcOp.Sbb8:
            {
                ulong oldC = ndep & 1, r = (dep2 ^ oldC) & mask;
                res = (a - r - oldC) & mask;
                cf = (oldC != 0 ? a <= r : a < r) ? 1UL : 0;
                of = ((a ^ r) & (a ^ res) & sign) != 0 ? 1UL : 0;
                af = (a ^ r ^ res) & AF;
                break;
            }
            case CcOp.Logic8:
                res = a; cf = 0; of = 0; af = 0;
                break;
            case CcOp.Inc8:
                res = a; cf = ndep & CF;
                of = res == sign ? 1UL : 0;
                af = (res ^ ((res - 1) & mask) ^ 1) & AF;
                break;
            case CcOp.Dec8:
                res = a; cf = ndep & CF;
                of = res == sign - 1 ? 1UL : 0;
                af = (res ^ ((res + 1) & mask) ^ 1) & AF;
                break;
            case CcOp.Shl8:
                res = a;
                cf = (b >> (bits - 1)) & 1;
                of = ((a ^ b) & sign) != 0 ? 1UL : 0;
                af = 0;
                break;
            case CcOp.Shr8:
            case CcOp.Sar8:
                res = a;
                cf = b & 1;
                of = ((a ^ b) & sign) != 0 ? 1UL : 0;
                af = 0;
                break;
            case CcOp.Rol8:
                cf = a & 1;
                of = ((a >> (bits - 1)) ^ a) & 1;
                return (ndep & (Oszapc & ~(OF | CF))) | cf | (of << OFShift);
            case CcOp.Ror8:
                cf = (a >> (bits - 1)) & 1;
                of = cf ^ ((a >> (bits - 2)) & 1);
                return (ndep & (Oszapc & ~(OF | CF))) | cf | (of << OFShift);
            case CcOp.UMul8:
            {
                ulong hi;
                if (bits == 64) hi = Math.BigMul(a, b, out res);
                else { ulong full = a * b; res = full & mask; hi = full >> bits; }
                cf = of = hi != 0 ? 1UL : 0;
                af = 0;
                break;
            }
            case CcOp.SMul8:
            {
                bool overflow;
                if (bits == 64)
                {
                    long hi = Math.BigMul((long)a, (long)b, out long lo);
                    res = (ulong)lo;
                    overflow = hi != lo >> 63;
                }
                else
                {
                    long full = SignExtend(a, bits) * SignExtend(b, bits);
                    res = (ulong)full & mask;
                    overflow = full != SignExtend(res, bits);
                }
                cf = of = overflow ? 1UL : 0;
                af = 0;
                break;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(op), op, "not a flags thunk operation");
        }
        return cf | Parity(res) | af | (res == 0 ? ZF : 0) | ((res & sign) != 0 ? SF : 0) | (of << OFShift);
    }

    public static bool Evaluate(X86Condition cond, ulong rflags)
    {
        bool of = (rflags & OF) != 0, sf = (rflags & SF) != 0, zf = (rflags & ZF) != 0;
        bool cf = (rflags & CF) != 0, pf = (rflags & PF) != 0;
        bool holds = ((int)cond >> 1) switch
        {
            0 => of,
            1 => cf,
            2 => zf,
            3 => cf || zf,
            4 => sf,
            5 => pf,
            6 => sf != of,
            _ => zf || sf != of,
        };
        return holds != cond.IsNegated();
    }

    private static long SignExtend(ulong v, int bits) => (long)(v << (64 - bits)) >> (64 - bits);

    private static ulong Parity(ulong res) => (BitOperations.PopCount(res & 0xFF) & 1) == 0 ? PF : 0;

    [UnmanagedCallersOnly]
    private static ulong RflagsAllEntry(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Compute((CcOp)op, d1, d2, nd);

    private static ulong Cond(X86Condition c, ulong op, ulong d1, ulong d2, ulong nd) =>
        Evaluate(c, Compute((CcOp)op, d1, d2, nd)) ? 1UL : 0;

    [UnmanagedCallersOnly] private static ulong CondO(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.O, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondNO(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.NO, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondB(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.B, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondAE(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.AE, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondE(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.E, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondNE(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.NE, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondBE(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.BE, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondA(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.A, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondS(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.S, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondNS(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.NS, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondP(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.P, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondNP(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.NP, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondL(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.L, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondGE(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.GE, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondLE(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.LE, op, d1, d2, nd);
    [UnmanagedCallersOnly] private static ulong CondG(GuestState* s, ulong op, ulong d1, ulong d2, ulong nd) => Cond(X86Condition.G, op, d1, d2, nd);
}
