using System.Runtime.InteropServices;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// Memcheck's A and V bits for every guest byte, in Valgrind's compressed form. FIXED LAYOUT, read inline by
/// generated code: <see cref="Primary"/> is an unmanaged array of 2^19 pointers indexed by address &gt;&gt; 28;
/// every entry points to a middle table of 4096 pointers indexed by (address &gt;&gt; 16) &amp; 0xFFF; every
/// middle entry points to a 16384-byte secondary holding 2 bits per guest byte of one 64 KiB chunk: byte
/// (address &amp; 0xFFFF) &gt;&gt; 2, bits 2 * (address &amp; 3). No pointer is ever null: untouched chunks point
/// to the distinguished all-noaccess secondary (through a shared all-noaccess middle table), so a lookup is
/// three loads and no test. The distinguished secondaries (<see cref="NoAccessSecondary"/>,
/// <see cref="UndefinedSecondary"/>, <see cref="DefinedSecondary"/>) and the shared middle table are
/// read-only to generated code: stores go to a slow path here, which copies them on write.
/// An aligned 8-byte access reads the ushort at secondary + ((address &amp; 0xFFFF) &gt;&gt; 2):
/// 0xAAAA = all defined, 0x5555 = all undefined. Addresses at or above 2^47 are noaccess and never indexed.
/// Bytes in state <see cref="VaBits.PartDefined"/> keep their 8 V bits (1 = undefined) in a side table.
/// With origins tracked, the range operations keep <see cref="Origins"/> in step as memcheck does: memory made
/// undefined takes the tag given, memory made defined or noaccess loses its tags; a copy of V bits copies no tags.
/// </summary>
public sealed unsafe class ShadowMemory : IDisposable
{
    public const int PrimaryShift = 28;
    public const int PrimaryEntries = 1 << 19;
    public const int ChunkShift = 16;
    public const int MiddleEntries = 1 << 12;
    public const ulong ChunkSize = 1UL << ChunkShift;
    public const int SecondaryBytes = (int)(ChunkSize / 4);
    public const ulong AddressLimit = 1UL << 47;

    private byte*** _primary;
    private byte** _noAccessMiddle;
    private readonly byte*[] _distinguished = new byte*[3];
    /// <summary>V bits of partly defined bytes, by address; an entry exists exactly while the byte is PartDefined.</summary>
    private readonly Dictionary<ulong, byte> _partialVBits = [];

    public ShadowMemory(OriginMemory? origins = null)
    {
        Origins = origins;
        // One block, so generated code tells a shared secondary from an own one with a single range test.
        byte* shared = (byte*)NativeMemory.Alloc(3 * SecondaryBytes);
        for (int state = 0; state < 3; state++)
        {
            _distinguished[state] = shared + state * SecondaryBytes;
            NativeMemory.Fill(_distinguished[state], SecondaryBytes, (byte)(state * 0x55));
        }
        _noAccessMiddle = NewMiddle();
        _primary = (byte***)NativeMemory.Alloc((nuint)PrimaryEntries, (nuint)sizeof(nint));
        for (int i = 0; i < PrimaryEntries; i++)
            _primary[i] = _noAccessMiddle;
    }

    /// <summary>Address of the primary map, for generated code.</summary>
    public nint Primary => (nint)_primary;
    public nint NoAccessSecondary => (nint)_distinguished[0];
    public nint UndefinedSecondary => (nint)_distinguished[1];
    public nint DefinedSecondary => (nint)_distinguished[2];
    /// <summary>The distinguished secondaries, one after another: generated code must not write there.</summary>
    public (nint Start, int Length) SharedSecondaries => ((nint)_distinguished[0], 3 * SecondaryBytes);

    /// <summary>The origin tags of the bytes, with --track-origins=yes.</summary>
    public OriginMemory? Origins { get; }

    /// <summary>Number of secondaries allocated (not distinguished), to observe copy-on-write.</summary>
    public int OwnSecondaryCount { get; private set; }

    public void MakeNoAccess(ulong start, ulong length) => SetRange(start, length, VaBits.NoAccess, OriginTags.None);
    public void MakeDefined(ulong start, ulong length) => SetRange(start, length, VaBits.Defined, OriginTags.None);

    /// <summary>Undefined bytes, created by what <paramref name="origin"/> names (no origin by default).</summary>
    public void MakeUndefined(ulong start, ulong length, uint origin = OriginTags.None) =>
        SetRange(start, length, VaBits.Undefined, origin);

    private void SetRange(ulong start, ulong length, VaBits state, uint origin)
    {
        SetRange(start, length, state);
        Origins?.Store(start, length, origin);
    }

    /// <summary>State of one byte.</summary>
    public VaBits Get(ulong address)
    {
        if (address >= AddressLimit)
            return VaBits.NoAccess;
        return (VaBits)((*SecondaryByte(address) >> Shift(address)) & 3);
    }

    /// <summary>First address of [start, start+length) that is noaccess, or null when all are addressable.</summary>
    public ulong? CheckAddressable(ulong start, ulong length) => FirstNotAllowed(start, length, definedOnly: false);

    /// <summary>
    /// First address of [start, start+length) that is not fully defined, or null; <paramref name="unaddressable"/>
    /// says whether that byte is noaccess (an addressing error) rather than undefined.
    /// </summary>
    public ulong? CheckDefined(ulong start, ulong length, out bool unaddressable)
    {
        ulong? bad = FirstNotAllowed(start, length, definedOnly: true);
        unaddressable = bad is ulong a && Get(a) == VaBits.NoAccess;
        return bad;
    }

    /// <summary>Range check that skips whole chunks sharing an acceptable distinguished secondary.</summary>
    private ulong? FirstNotAllowed(ulong start, ulong length, bool definedOnly)
    {
        ulong end = start + length < start ? ulong.MaxValue : start + length;
        ulong a = start;
        while (a < end)
        {
            if (a >= AddressLimit)
                return a;
            ulong chunkEnd = Math.Min((a & ~(ChunkSize - 1)) + ChunkSize, end);
            byte* sec = _primary[a >> PrimaryShift][(a >> ChunkShift) & (MiddleEntries - 1)];
            if (sec == _distinguished[(int)VaBits.Defined] || (!definedOnly && sec == _distinguished[(int)VaBits.Undefined]))
            {
                a = chunkEnd;
                continue;
            }
            while (a < chunkEnd)
            {
                // Whole packed words (32 bytes) and bytes (4) where aligned; single bytes around a failing group.
                byte* fields = sec + ((a & (ChunkSize - 1)) >> 2);
                if ((a & 31) == 0 && a + 32 <= chunkEnd && AllAllowed(*(ulong*)fields, definedOnly))
                {
                    a += 32;
                    continue;
                }
                if ((a & 3) == 0 && a + 4 <= chunkEnd && AllAllowed(*fields * 0x0101010101010101UL, definedOnly))
                {
                    a += 4;
                    continue;
                }
                VaBits state = Get(a);
                if (state == VaBits.NoAccess || (definedOnly && state != VaBits.Defined))
                    return a;
                a++;
            }
        }
        return null;
    }

    /// <summary>Whether every 2-bit field of <paramref name="packed"/> is addressable (not 0), or defined.</summary>
    private static bool AllAllowed(ulong packed, bool definedOnly) => definedOnly
        ? packed == 0xAAAA_AAAA_AAAA_AAAAUL
        : ((packed | packed >> 1) & 0x5555_5555_5555_5555UL) == 0x5555_5555_5555_5555UL;

    /// <summary>
    /// V bits of a 1, 2, 4 or 8-byte little-endian load (bit set = undefined). Noaccess bytes read as defined,
    /// as Valgrind does after reporting the address error, so one bad access does not also cascade into
    /// definedness errors; <paramref name="addressable"/> is false when any byte was noaccess.
    /// </summary>
    public ulong GetVBits(ulong address, int size, out bool addressable)
    {
        if (size == 8 && (address & 7) == 0 && address < AddressLimit)
        {
            ushort packed = *(ushort*)SecondaryByte(address);
            addressable = true;
            if (packed == 0xAAAA)
                return 0;
            if (packed == 0x5555)
                return ulong.MaxValue;
        }
        CheckSize(size);
        ulong vbits = 0;
        addressable = true;
        for (int i = size - 1; i >= 0; i--)
        {
            vbits = (vbits << 8) | GetVByte(address + (ulong)i, out bool ok);
            addressable &= ok;
        }
        return vbits;
    }

    /// <summary>V bits of a 16-byte load, as two little-endian halves.</summary>
    public Value128 GetVBits128(ulong address, out bool addressable)
    {
        ulong lo = GetVBits(address, 8, out bool okLo);
        ulong hi = GetVBits(address + 8, 8, out bool okHi);
        addressable = okLo && okHi;
        return new Value128(lo, hi);
    }

    /// <summary>
    /// Store V bits for a 1, 2, 4 or 8-byte access. Noaccess bytes stay noaccess (the store is an address error);
    /// returns false when any byte was noaccess.
    /// </summary>
    public bool SetVBits(ulong address, int size, ulong vbits)
    {
        if (size == 8 && (address & 7) == 0 && address < AddressLimit && (vbits == 0 || vbits == ulong.MaxValue))
        {
            ushort* packed = (ushort*)SecondaryByte(address);
            if (*packed is 0xAAAA or 0x5555)
            {
                ushort wanted = vbits == 0 ? (ushort)0xAAAA : (ushort)0x5555;
                if (*packed != wanted)
                    *(ushort*)WritableSecondaryByte(address) = wanted;
                return true;
            }
        }
        CheckSize(size);
        bool allAddressable = true;
        for (int i = 0; i < size; i++)
            allAddressable &= SetVByte(address + (ulong)i, (byte)(vbits >> (8 * i)));
        return allAddressable;
    }

    public bool SetVBits128(ulong address, Value128 vbits)
    {
        bool lo = SetVBits(address, 8, vbits.Lo);
        bool hi = SetVBits(address + 8, 8, vbits.Hi);
        return lo && hi;
    }

    /// <summary>memmove of A and V bits from [source, source+length) to [destination, ...), overlap allowed.</summary>
    public void CopyRange(ulong source, ulong destination, ulong length)
    {
        if (length == 0 || source == destination)
            return;
        bool backwards = destination > source && destination < source + length;
        for (ulong n = 0; n < length; n++)
        {
            ulong i = backwards ? length - 1 - n : n;
            ulong from = source + i;
            VaBits state = Get(from);
            byte partial = state == VaBits.PartDefined ? _partialVBits[from] : (byte)0;
            SetState(destination + i, state, partial);
        }
    }

    private byte GetVByte(ulong address, out bool addressable)
    {
        VaBits state = Get(address);
        addressable = state != VaBits.NoAccess;
        return state switch
        {
            VaBits.Undefined => 0xFF,
            VaBits.PartDefined => _partialVBits[address],
            _ => 0,
        };
    }

    private bool SetVByte(ulong address, byte vbits)
    {
        if (Get(address) == VaBits.NoAccess)
            return false;
        VaBits state = vbits switch
        {
            0 => VaBits.Defined,
            0xFF => VaBits.Undefined,
            _ => VaBits.PartDefined,
        };
        SetState(address, state, vbits);
        return true;
    }

    private void SetRange(ulong start, ulong length, VaBits state)
    {
        if (start >= AddressLimit)
            return;
        ulong end = Math.Min(start + length < start ? AddressLimit : start + length, AddressLimit);
        ulong a = start;
        while (a < end)
        {
            ulong chunkEnd = (a & ~(ChunkSize - 1)) + ChunkSize;
            if ((a & (ChunkSize - 1)) == 0 && chunkEnd <= end)
                ReplaceChunk(a, state);
            else
                SetWithinChunk(a, Math.Min(chunkEnd, end), state);
            a = chunkEnd;
        }
    }

    /// <summary>A whole 64 KiB chunk in one state shares the distinguished secondary, as in Valgrind.</summary>
    private void ReplaceChunk(ulong chunk, VaBits state)
    {
        byte** slot = MiddleSlot(chunk, writable: state != VaBits.NoAccess);
        byte* old = *slot;
        byte* wanted = _distinguished[(int)state];
        if (old == wanted)
            return;
        if (!IsDistinguished(old))
        {
            ForgetPartials(chunk, ChunkSize);
            NativeMemory.Free(old);
            OwnSecondaryCount--;
        }
        *slot = wanted;
    }

    private void SetWithinChunk(ulong start, ulong end, VaBits state)
    {
        byte* sec = *MiddleSlot(start, writable: false);
        if (sec == _distinguished[(int)state])
            return;
        ulong a = start;
        for (; a < end && (a & 3) != 0; a++)
            SetState(a, state, 0);
        if (a + 4 <= end)
            a = SetWholeBytes(a, end, (byte)((int)state * 0x55));
        for (; a < end; a++)
            SetState(a, state, 0);
    }

    /// <summary>
    /// The packed bytes of the 4-aligned run from <paramref name="start"/> to the last whole group of 4 before
    /// <paramref name="end"/> set to <paramref name="whole"/>: one copy-on-write for the run, then 8 packed bytes (32
    /// guest bytes) at a time where aligned, as a call's 128-byte red zone needs. Returns where the run ended.
    /// </summary>
    private ulong SetWholeBytes(ulong start, ulong end, byte whole)
    {
        const ulong PartDefinedPairs = 0x5555555555555555UL;
        ulong wholeWord = whole * 0x0101010101010101UL;
        byte* b = WritableSecondaryByte(start);
        byte* stop = b + ((end - start) >> 2);
        ulong a = start;
        while (b < stop)
        {
            if (((nint)b & 7) == 0 && b + 8 <= stop)
            {
                ulong packed = *(ulong*)b;
                if (packed != wholeWord)
                {
                    if ((packed & (packed >> 1) & PartDefinedPairs) != 0)
                        ForgetPartials(a, 32);
                    *(ulong*)b = wholeWord;
                }
                b += 8;
                a += 32;
                continue;
            }
            if (*b != whole)
            {
                if ((*b & (*b >> 1) & 0x55) != 0)
                    ForgetPartials(a, 4);
                *b = whole;
            }
            b++;
            a += 4;
        }
        return a;
    }

    private void SetState(ulong address, VaBits state, byte partialVBits)
    {
        if (address >= AddressLimit)
            return;
        int shift = Shift(address);
        byte* b = SecondaryByte(address);
        VaBits old = (VaBits)((*b >> shift) & 3);
        if (state == VaBits.PartDefined)
            _partialVBits[address] = partialVBits;
        else if (old == VaBits.PartDefined)
            _partialVBits.Remove(address);
        if (old == state)
            return;
        b = WritableSecondaryByte(address);
        *b = (byte)((*b & ~(3 << shift)) | ((int)state << shift));
    }

    private void ForgetPartials(ulong start, ulong length)
    {
        for (ulong a = start; a < start + length; a++)
            if (Get(a) == VaBits.PartDefined)
                _partialVBits.Remove(a);
    }

    private static int Shift(ulong address) => (int)(address & 3) * 2;

    private byte* SecondaryByte(ulong address) =>
        _primary[address >> PrimaryShift][(address >> ChunkShift) & (MiddleEntries - 1)] + ((address & (ChunkSize - 1)) >> 2);

    /// <summary>The shadow byte for a write: copies a distinguished secondary (and the shared middle table) first.</summary>
    private byte* WritableSecondaryByte(ulong address)
    {
        byte** slot = MiddleSlot(address, writable: true);
        if (IsDistinguished(*slot))
        {
            byte* copy = (byte*)NativeMemory.Alloc(SecondaryBytes);
            NativeMemory.Copy(*slot, copy, SecondaryBytes);
            *slot = copy;
            OwnSecondaryCount++;
        }
        return *slot + ((address & (ChunkSize - 1)) >> 2);
    }

    /// <summary>The middle-table slot of an address's chunk; a slot of the shared all-noaccess table unless writable.</summary>
    private byte** MiddleSlot(ulong address, bool writable)
    {
        ref byte** middle = ref _primary[address >> PrimaryShift];
        if (middle == _noAccessMiddle)
        {
            if (!writable)
                return _noAccessMiddle + ((address >> ChunkShift) & (MiddleEntries - 1));
            middle = NewMiddle();
        }
        return middle + ((address >> ChunkShift) & (MiddleEntries - 1));
    }

    private bool IsDistinguished(byte* secondary) =>
        secondary == _distinguished[0] || secondary == _distinguished[1] || secondary == _distinguished[2];

    private byte** NewMiddle()
    {
        byte** middle = (byte**)NativeMemory.Alloc(MiddleEntries, (nuint)sizeof(nint));
        for (int i = 0; i < MiddleEntries; i++)
            middle[i] = _distinguished[0];
        return middle;
    }

    private static void CheckSize(int size)
    {
        if (size < 1 || size > 8 || (size & (size - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(size), size, "access size must be 1, 2, 4 or 8");
    }

    public void Dispose()
    {
        Origins?.Dispose();
        if (_primary == null)
            return;
        for (int i = 0; i < PrimaryEntries; i++)
        {
            byte** middle = _primary[i];
            if (middle == _noAccessMiddle)
                continue;
            for (int j = 0; j < MiddleEntries; j++)
                if (!IsDistinguished(middle[j]))
                    NativeMemory.Free(middle[j]);
            NativeMemory.Free(middle);
        }
        NativeMemory.Free(_primary);
        NativeMemory.Free(_noAccessMiddle);
        NativeMemory.Free(_distinguished[0]);
        _primary = null;
        _noAccessMiddle = null;
    }
}

/// <summary>Valgrind's 2-bit per-byte state; the values are the layout's encoding.</summary>
public enum VaBits : byte
{
    NoAccess = 0,
    Undefined = 1,
    Defined = 2,
    PartDefined = 3,
}
