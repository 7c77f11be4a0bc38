using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Tools.Memcheck.Origins;

/// <summary>
/// Where the origin tags of guest registers live: one slot per register, whatever part of it an access touches (a
/// write to al gives rax its tag), as memcheck keeps one tag per register. A register's slot is the 8 bytes at
/// <see cref="GuestState.OriginOffset"/> plus the register's offset, holding the tag zero-extended. State outside the
/// table has no tag: rip and the thunk's operation are always defined, the x87 stack is reached by index (memcheck
/// tracks none there either), and the engine's own fields are not the guest's. Nor do ah, bh, ch and dh: as measured
/// under Valgrind, a value read from one has no origin and one written there leaves its register's tag alone.
/// </summary>
internal static class OriginSlots
{
    /// <summary>Ranges of the state [Start, End) made of registers of <c>Size</c> bytes each.</summary>
    private static readonly (int Start, int End, int Size)[] Registers =
    [
        (GuestState.OffRax, GuestState.OffRip, 8),
        (GuestState.OffCcDep1, GuestState.OffGsBase + 8, 8),
        (GuestState.OffXmm0, GuestState.OffMxcsr, 16),
        (GuestState.OffMxcsr, GuestState.OffFpuC3210 + 8, 8),
        (GuestState.OffScratch0, GuestState.OffScratch0 + 64, 16),
    ];

    /// <summary>The high byte registers ah, ch, dh, bh: the second byte of rax, rcx, rdx and rbx.</summary>
    private static readonly int[] HighBytes = [GuestState.OffRax + 1, GuestState.OffRcx + 1, GuestState.OffRdx + 1, GuestState.OffRbx + 1];

    /// <summary>The state offsets of the slots of the registers that [offset, offset+size) touches.</summary>
    public static IEnumerable<int> Covering(int offset, int size)
    {
        if (size == 1 && HighBytes.Contains(offset)) yield break;
        int end = offset + size;
        foreach (var (start, stop, registerSize) in Registers)
        {
            int from = Math.Max(offset, start), to = Math.Min(end, stop);
            for (int register = from - (from - start) % registerSize; register < to; register += registerSize)
                yield return GuestState.OriginOffset + register;
        }
    }
}
