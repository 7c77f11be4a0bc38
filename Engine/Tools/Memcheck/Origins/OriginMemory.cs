using System.Runtime.InteropServices;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tools.Memcheck.Origins;

/// <summary>
/// The origin tag of every guest byte (--track-origins=yes), at memcheck's granularity: one tag per aligned 4-byte
/// word and a mask of the word's bytes that carry it. A store writes its tag over the word's and marks its bytes, or
/// unmarks them for tag 0, whatever the V bits of the data; a load gives the largest tag of the words with a marked byte
/// among those it reads. So a one-byte store of a stale tag renames the origin of the rest of its word, as in Valgrind.
/// The layout is <see cref="WordTagMap"/>'s, so generated code does the common loads and stores inline: chunks that never
/// held a tag share one all-zero secondary, which only this class writes, by copying it first.
/// </summary>
public sealed unsafe class OriginMemory : IDisposable
{
    private const int MasksOffset = WordTagMap.MasksOffset;
    private const int SecondaryBytes = WordTagMap.SecondaryBytes;

    private byte*** _primary;
    private byte** _zeroMiddle;
    private byte* _zero;

    public OriginMemory()
    {
        _zero = (byte*)NativeMemory.AllocZeroed(SecondaryBytes);
        _zeroMiddle = NewMiddle();
        _primary = (byte***)NativeMemory.Alloc(WordTagMap.ZeroSecondaryEntry + 1, (nuint)sizeof(nint));
        for (int i = 0; i < ShadowMemory.PrimaryEntries; i++) _primary[i] = _zeroMiddle;
        _primary[WordTagMap.ZeroSecondaryEntry] = (byte**)_zero;
    }

    /// <summary>Address of the primary map, for generated code and the load helper.</summary>
    public nint Primary => (nint)_primary;

    /// <summary>Secondaries allocated for chunks holding tags, to observe copy-on-write and release.</summary>
    public int OwnSecondaryCount { get; private set; }

    /// <summary>The tag of [address, address+length): the largest of its words' tags where a byte read is marked.</summary>
    public uint Load(ulong address, ulong length) => Load(Primary, address, length);

    /// <summary><see cref="Load"/> on a primary map alone: reading needs no other state.</summary>
    public static uint Load(nint primary, ulong address, ulong length)
    {
        ulong end = End(address, length);
        uint tag = 0;
        for (ulong a = address; a < end;)
        {
            ulong next = Math.Min((a | 3) + 1, end);
            byte* secondary = ((byte***)primary)[a >> ShadowMemory.PrimaryShift][(a >> ShadowMemory.ChunkShift) & (ShadowMemory.MiddleEntries - 1)];
            int word = WordOf(a);
            if ((secondary[MasksOffset + word] & BytesOf(a, next)) != 0) tag = Math.Max(tag, ((uint*)secondary)[word]);
            a = next;
        }
        return tag;
    }

    /// <summary>
    /// <see cref="Store"/> on a primary map alone, for a store within one chunk that needs no secondary made (what
    /// generated code's stores nearly always are); false when it must go to <see cref="Store"/>.
    /// </summary>
    public static bool TryStore(nint primary, ulong address, ulong length, uint tag)
    {
        if (address >= ShadowMemory.AddressLimit || (address & (ShadowMemory.ChunkSize - 1)) + length > ShadowMemory.ChunkSize) return false;
        byte*** map = (byte***)primary;
        byte* secondary = map[address >> ShadowMemory.PrimaryShift][(address >> ShadowMemory.ChunkShift) & (ShadowMemory.MiddleEntries - 1)];
        if (secondary == (byte*)map[WordTagMap.ZeroSecondaryEntry]) return tag == 0;
        StoreWithinChunk(secondary, address, address + length, tag);
        return true;
    }

    /// <summary>
    /// Give [address, address+length) the tag: each word touched takes it and marks the bytes stored; tag 0 unmarks them
    /// (the memory became defined or inaccessible, or defined data without an origin was stored).
    /// </summary>
    public void Store(ulong address, ulong length, uint tag)
    {
        // A whole chunk cleared goes the long way, which releases its secondary.
        if (length < ShadowMemory.ChunkSize && TryStore(Primary, address, length, tag)) return;
        ulong end = End(address, length);
        for (ulong a = address; a < end;)
        {
            ulong chunkEnd = Math.Min((a & ~(ShadowMemory.ChunkSize - 1)) + ShadowMemory.ChunkSize, end);
            byte** slot = MiddleSlot(a, writable: tag != 0);
            if (tag == 0 && *slot == _zero)
            {
                a = chunkEnd;
                continue;
            }
            if (tag == 0 && (a & (ShadowMemory.ChunkSize - 1)) == 0 && chunkEnd - a == ShadowMemory.ChunkSize)
            {
                Release(slot);
                a = chunkEnd;
                continue;
            }
            if (*slot == _zero) Own(slot);
            StoreWithinChunk(*slot, a, chunkEnd, tag);
            a = chunkEnd;
        }
    }

    private static void StoreWithinChunk(byte* secondary, ulong start, ulong end, uint tag)
    {
        ulong a = start;
        for (; a < end && ((a & 3) != 0 || end - a < 4); a = Math.Min((a | 3) + 1, end))
            StoreInWord(secondary, a, Math.Min((a | 3) + 1, end), tag);
        // Whole words: every byte marked (or none), one tag each.
        int words = (int)((end - a) >> 2);
        if (words == 0) return;
        int first = WordOf(a);
        new Span<byte>(secondary + MasksOffset + first, words).Fill(tag == 0 ? (byte)0 : (byte)0xF);
        if (tag != 0) new Span<uint>((uint*)secondary + first, words).Fill(tag);
        a += (ulong)words << 2;
        if (a < end) StoreInWord(secondary, a, end, tag);
    }

    private static void StoreInWord(byte* secondary, ulong from, ulong to, uint tag)
    {
        int word = WordOf(from);
        byte bytes = BytesOf(from, to);
        if (tag == 0)
            secondary[MasksOffset + word] &= (byte)~bytes;
        else
        {
            secondary[MasksOffset + word] |= bytes;
            ((uint*)secondary)[word] = tag;
        }
    }

    /// <summary>The end of a range, cut at the first address without tags.</summary>
    private static ulong End(ulong address, ulong length) =>
        address >= ShadowMemory.AddressLimit ? address
        : length > ShadowMemory.AddressLimit - address ? ShadowMemory.AddressLimit : address + length;

    private static int WordOf(ulong address) => (int)((address & (ShadowMemory.ChunkSize - 1)) >> 2);

    /// <summary>The mask bits of the bytes [from, to) of one word.</summary>
    private static byte BytesOf(ulong from, ulong to) => (byte)(((1 << (int)(to - from)) - 1) << (int)(from & 3));

    /// <summary>A chunk's middle-table slot; a slot of the shared all-zero table unless <paramref name="writable"/>.</summary>
    private byte** MiddleSlot(ulong address, bool writable)
    {
        ref byte** middle = ref _primary[address >> ShadowMemory.PrimaryShift];
        if (middle == _zeroMiddle && writable) middle = NewMiddle();
        return middle + ((address >> ShadowMemory.ChunkShift) & (ShadowMemory.MiddleEntries - 1));
    }

    /// <summary>A chunk's own secondary, in place of the zero one (a copy of it).</summary>
    private void Own(byte** slot)
    {
        *slot = (byte*)NativeMemory.AllocZeroed(SecondaryBytes);
        OwnSecondaryCount++;
    }

    /// <summary>A chunk whose every tag is gone shares the zero secondary again.</summary>
    private void Release(byte** slot)
    {
        NativeMemory.Free(*slot);
        *slot = _zero;
        OwnSecondaryCount--;
    }

    private byte** NewMiddle()
    {
        byte** middle = (byte**)NativeMemory.Alloc(ShadowMemory.MiddleEntries, (nuint)sizeof(nint));
        for (int i = 0; i < ShadowMemory.MiddleEntries; i++) middle[i] = _zero;
        return middle;
    }

    public void Dispose()
    {
        if (_primary == null) return;
        for (int i = 0; i < ShadowMemory.PrimaryEntries; i++)
        {
            byte** middle = _primary[i];
            if (middle == _zeroMiddle) continue;
            for (int j = 0; j < ShadowMemory.MiddleEntries; j++)
                if (middle[j] != _zero) NativeMemory.Free(middle[j]);
            NativeMemory.Free(middle);
        }
        NativeMemory.Free(_primary);
        NativeMemory.Free(_zeroMiddle);
        NativeMemory.Free(_zero);
        _primary = null;
        _zeroMiddle = null;
        _zero = null;
    }
}
