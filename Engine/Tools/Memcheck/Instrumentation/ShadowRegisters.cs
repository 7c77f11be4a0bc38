using System.Runtime.CompilerServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// The V bits and origin tags of guest registers, for the syscall layer: whether an argument register is defined
/// ("Syscall param X contains uninitialised byte(s)") and where its value came from; the result register made defined.
/// </summary>
public static unsafe class ShadowRegisters
{
    /// <summary>V bits of the 1, 2, 4 or 8 state bytes at <paramref name="offset"/> (a GuestState offset).</summary>
    public static ulong VBits(GuestState* state, int offset, int size)
    {
        byte* p = (byte*)state + GuestState.ShadowOffset + offset;
        return size switch
        {
            1 => *p,
            2 => Unsafe.ReadUnaligned<ushort>(p),
            4 => Unsafe.ReadUnaligned<uint>(p),
            8 => Unsafe.ReadUnaligned<ulong>(p),
            _ => throw new ArgumentOutOfRangeException(nameof(size), size, "a register is 1, 2, 4 or 8 bytes"),
        };
    }

    /// <summary>The origin tag of the register holding the state byte at <paramref name="offset"/> (none without origins).</summary>
    public static uint Origin(GuestState* state, int offset) =>
        (uint)*(ulong*)((byte*)state + OriginSlots.Covering(offset, 1).Single());

    /// <summary>Set the V bits of <paramref name="size"/> state bytes at <paramref name="offset"/> (0 = defined).</summary>
    public static void SetVBits(GuestState* state, int offset, int size, ulong vbits)
    {
        byte* p = (byte*)state + GuestState.ShadowOffset + offset;
        switch (size)
        {
            case 1: *p = (byte)vbits; break;
            case 2: Unsafe.WriteUnaligned(p, (ushort)vbits); break;
            case 4: Unsafe.WriteUnaligned(p, (uint)vbits); break;
            case 8: Unsafe.WriteUnaligned(p, vbits); break;
            default: throw new ArgumentOutOfRangeException(nameof(size), size, "a register is 1, 2, 4 or 8 bytes");
        }
    }
}
