using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Guest;

/// <summary>
/// Which 4 KiB pages the guest owns and with what protection. FIXED LAYOUT, read inline by
/// generated code: <see cref="Level1"/> is an unmanaged array of 2^19 pointers indexed by
/// address &gt;&gt; 28; a non-null entry points to a 65536-byte Level-2 table indexed by
/// (address &gt;&gt; 12) &amp; 0xFFFF holding one byte per page: bit0 readable, bit1 writable,
/// bit2 executable, bit3 owned (so a PROT_NONE mapping is still the guest's); 0 = not the guest's.
/// Addresses at or above 2^47 are never owned.
/// </summary>
public sealed unsafe class PageMap : IGuestMemoryGuard, IDisposable
{
    public const int PageShift = 12;
    public const ulong PageSize = 1UL << PageShift;
    public const ulong PageMask = PageSize - 1;
    public const int Level1Shift = 28;
    public const int Level1Entries = 1 << 19;
    public const int Level2Entries = 1 << 16;
    /// <summary>First address outside the 47-bit user address space.</summary>
    public const ulong AddressLimit = 1UL << 47;
    /// <summary>Level-2 byte bit marking a page as the guest's, whatever its protection.</summary>
    public const byte OwnedBit = 8;

    private byte** _level1;

    public PageMap() => _level1 = (byte**)NativeMemory.AllocZeroed((nuint)Level1Entries, (nuint)sizeof(nint));

    /// <summary>Address of the Level-1 table, for generated code.</summary>
    public nint Level1 => (nint)_level1;

    public static ulong PageDown(ulong address) => address & ~PageMask;

    /// <summary>Round up to a page boundary; 0 when that overflows (callers treat it as too big).</summary>
    public static ulong PageUp(ulong address) => address > ulong.MaxValue - PageMask ? 0 : (address + PageMask) & ~PageMask;

    public void Set(ulong start, ulong length, PageProtection prot) => Fill(start, length, (byte)((byte)prot | OwnedBit));

    public void Clear(ulong start, ulong length) => Fill(start, length, 0);

    /// <summary>Protection of the page holding <paramref name="address"/>; None also for pages the guest does not own.</summary>
    public PageProtection Get(ulong address) => (PageProtection)(Entry(address) & 7);

    public bool IsOwned(ulong address) => (Entry(address) & OwnedBit) != 0;

    public bool CanRead(ulong address, int size) => Allows(address, size, (byte)PageProtection.Read);

    public bool CanWrite(ulong address, int size) => Allows(address, size, (byte)PageProtection.Write);

    public bool CanExecute(ulong address, int size) => Allows(address, size, (byte)PageProtection.Execute);

    /// <summary>Every page of [start, start+length) is owned (any protection).</summary>
    public bool IsRangeOwned(ulong start, ulong length) => All(start, length, OwnedBit, OwnedBit);

    /// <summary>No page of [start, start+length) is owned.</summary>
    public bool IsRangeFree(ulong start, ulong length) => All(start, length, OwnedBit, 0);

    /// <summary>
    /// Lowest page-aligned address in [low, high) where <paramref name="length"/> bytes are all unowned;
    /// false when none. Unpopulated Level-2 tables are skipped 256 MiB at a time.
    /// </summary>
    public bool TryFindFree(ulong length, ulong low, ulong high, out ulong address)
    {
        address = 0;
        length = PageUp(length);
        if (length == 0) return false;
        high = Math.Min(high, AddressLimit);
        ulong runStart = PageUp(low);
        ulong page = runStart;
        while (page < high)
        {
            if (page - runStart >= length) break;
            byte* level2 = _level1[page >> Level1Shift];
            if (level2 == null)
            {
                page = ((page >> Level1Shift) + 1) << Level1Shift;
                continue;
            }
            if (level2[(page >> PageShift) & (Level2Entries - 1)] != 0) runStart = page + PageSize;
            page += PageSize;
        }
        if (runStart >= high || high - runStart < length) return false;
        address = runStart;
        return true;
    }

    /// <summary>
    /// Maximal runs inside [start, start+length) whose pages are owned (or not), in address order.
    /// Unpopulated Level-2 tables count as 256 MiB of unowned pages at once.
    /// </summary>
    public List<(ulong Start, ulong Length)> Runs(ulong start, ulong length, bool owned)
    {
        var runs = new List<(ulong, ulong)>();
        ulong end = start + length, runStart = 0;
        bool inRun = false;
        for (ulong page = PageDown(start); page < end;)
        {
            byte* level2 = page < AddressLimit ? _level1[page >> Level1Shift] : null;
            ulong next;
            bool pageOwned;
            if (level2 == null)
            {
                next = page < AddressLimit ? Math.Min(end, ((page >> Level1Shift) + 1) << Level1Shift) : end;
                pageOwned = false;
            }
            else
            {
                next = page + PageSize;
                pageOwned = (level2[(page >> PageShift) & (Level2Entries - 1)] & OwnedBit) != 0;
            }
            bool match = pageOwned == owned;
            if (match && !inRun) { runStart = Math.Max(page, start); inRun = true; }
            else if (!match && inRun) { runs.Add((runStart, page - runStart)); inRun = false; }
            page = next;
        }
        if (inRun) runs.Add((runStart, end - runStart));
        return runs;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte Entry(ulong address)
    {
        if (address >= AddressLimit) return 0;
        byte* level2 = _level1[address >> Level1Shift];
        return level2 == null ? (byte)0 : level2[(address >> PageShift) & (Level2Entries - 1)];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Allows(ulong address, int size, byte bit)
    {
        if ((address & PageMask) + (ulong)size <= PageSize) return (Entry(address) & bit) != 0;
        return size <= 0 || All(address, (ulong)size, bit, bit);
    }

    private bool All(ulong start, ulong length, byte mask, byte want)
    {
        if (length == 0) return true;
        ulong last = start + length - 1;
        if (last < start || last >= AddressLimit) return want == 0 && start >= AddressLimit;
        for (ulong page = PageDown(start); page <= last;)
        {
            byte* level2 = _level1[page >> Level1Shift];
            if (level2 == null)
            {
                if (want != 0) return false;
                page = ((page >> Level1Shift) + 1) << Level1Shift;
                continue;
            }
            if ((level2[(page >> PageShift) & (Level2Entries - 1)] & mask) != want) return false;
            page += PageSize;
        }
        return true;
    }

    private void Fill(ulong start, ulong length, byte value)
    {
        if ((start & PageMask) != 0 || (length & PageMask) != 0)
            throw new ArgumentException($"range 0x{start:x}+0x{length:x} is not page aligned");
        if (start >= AddressLimit || length > AddressLimit - start)
            throw new ArgumentOutOfRangeException(nameof(start), $"range 0x{start:x}+0x{length:x} is outside the user address space");
        ObjectDisposedException.ThrowIf(_level1 == null, this);
        for (ulong page = start, end = start + length; page < end;)
        {
            // One Level-2 table at a time: fill its slice of the range in one go.
            ulong tableEnd = ((page >> Level1Shift) + 1) << Level1Shift;
            ulong sliceEnd = Math.Min(end, tableEnd);
            ref byte* level2 = ref _level1[page >> Level1Shift];
            if (level2 == null && value != 0) level2 = (byte*)NativeMemory.AllocZeroed(Level2Entries);
            if (level2 != null)
            {
                int first = (int)((page >> PageShift) & (Level2Entries - 1));
                new Span<byte>(level2 + first, (int)((sliceEnd - page) >> PageShift)).Fill(value);
            }
            page = sliceEnd;
        }
    }

    public void Dispose()
    {
        if (_level1 == null) return;
        for (int i = 0; i < Level1Entries; i++)
            if (_level1[i] != null) NativeMemory.Free(_level1[i]);
        NativeMemory.Free(_level1);
        _level1 = null;
    }
}
