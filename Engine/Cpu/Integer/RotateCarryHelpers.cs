using System.Runtime.InteropServices;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Cpu.X86Flags;

namespace Memcheck.Engine.Cpu.Integer;

/// <summary>
/// rcl/rcr: rotates through the carry, rare enough to run in C#. Pure helpers of
/// (shape, value, masked count, old OSZAPC) giving the result and the new OSZAPC.
/// </summary>
internal static unsafe class RotateCarryHelpers
{
    public static readonly IrHelper Result = new("amd64g_rotate_carry_result", &ResultEntry, 4, isPure: true);
    public static readonly IrHelper Flags = new("amd64g_rotate_carry_flags", &FlagsEntry, 4, isPure: true);

    /// <summary>Operand width and direction packed into one helper argument.</summary>
    public static ulong Shape(int bits, bool right) => (uint)bits | (right ? 0x100UL : 0UL);

    public static (ulong Result, ulong Flags) Compute(ulong shape, ulong value, ulong maskedCount, ulong oldFlags)
    {
        int bits = (int)(shape & 0xFF);
        bool right = (shape & 0x100) != 0;
        if (maskedCount == 0) return (value, oldFlags & Oszapc);
        ulong mask = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
        int msb = bits - 1;
        ulong cf = oldFlags & CF;
        value &= mask;
        ulong of = right ? ((value >> msb) ^ cf) & 1 : 0;
        for (ulong i = 0; i < maskedCount % (ulong)(bits + 1); i++)
        {
            if (right)
            {
                ulong outBit = value & 1;
                value = (value >> 1) | (cf << msb);
                cf = outBit;
            }
            else
            {
                ulong outBit = (value >> msb) & 1;
                value = ((value << 1) | cf) & mask;
                cf = outBit;
            }
        }
        if (!right) of = ((value >> msb) ^ cf) & 1;
        return (value, (oldFlags & Oszapc & ~(OF | CF)) | cf | (of << OFShift));
    }

    [UnmanagedCallersOnly]
    private static ulong ResultEntry(GuestState* s, ulong shape, ulong value, ulong count, ulong flags) => Compute(shape, value, count, flags).Result;

    [UnmanagedCallersOnly]
    private static ulong FlagsEntry(GuestState* s, ulong shape, ulong value, ulong count, ulong flags) => Compute(shape, value, count, flags).Flags;
}
