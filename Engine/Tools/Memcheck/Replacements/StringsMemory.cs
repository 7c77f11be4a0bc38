using System.Runtime.CompilerServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Tools.Memcheck.Origins;

namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>
/// Guest memory as a replacement running as guest code would see it under memcheck: every load and store is
/// checked against the A bits (reported, then performed if the guest owns the page, else a fault), carries its
/// V bits and, with origins tracked, its origin tag; every decision on undefined bits is reported with the origin of
/// the bytes decided on. Guest addresses are host addresses.
/// </summary>
public unsafe ref struct StringMemory
{
    private const int PageShift = 12;
    private const ulong NoPage = ulong.MaxValue;

    private readonly IStringCheckHost _host;
    private readonly ShadowMemory _shadow;
    private readonly OriginMemory? _origins;
    private readonly GuestState* _state;
    // The last page found readable (writable), so a long string asks the host once per page.
    private ulong _readablePage = NoPage;
    private ulong _writablePage = NoPage;

    public StringMemory(IStringCheckHost host, GuestState* state)
    {
        _host = host;
        _shadow = host.Shadow;
        _origins = _shadow.Origins;
        _state = state;
    }

    public GuestState* State => _state;

    /// <summary>One byte and its shadow (V bits in the low byte, bit set = undefined).</summary>
    public byte LoadByte(ulong address, int site, out ValueShadow shadow)
    {
        VaBits a = _shadow.Get(address);
        if (a == VaBits.NoAccess)
            _host.InvalidRead(_state, site, address, 1);
        EnsureReadable(address, 1, site);
        ulong vbits = a switch
        {
            VaBits.Defined or VaBits.NoAccess => 0,
            VaBits.Undefined => 0xFF,
            _ => _shadow.GetVBits(address, 1, out _),
        };
        shadow = new ValueShadow(vbits, OriginOf(address, 1));
        return *(byte*)address;
    }

    /// <summary>
    /// A 1, 2, 4 or 8-byte little-endian load. Noaccess bytes are an "Invalid read of size N" and read as defined,
    /// except under --partial-loads-ok for an aligned 8-byte load with some addressable byte: no error, and the
    /// noaccess bytes read as undefined.
    /// </summary>
    public ulong Load(ulong address, int size, int site, out ValueShadow shadow)
    {
        if (size == 1)
            return LoadByte(address, site, out shadow);
        ulong vbits = _shadow.GetVBits(address, size, out bool addressable);
        if (!addressable)
        {
            ulong noAccess = NoAccessMask(address, size);
            if (_host.PartialLoadsOk && size == 8 && (address & 7) == 0 && noAccess != ulong.MaxValue)
                vbits |= noAccess;
            else
                _host.InvalidRead(_state, site, address, size);
        }
        EnsureReadable(address, (ulong)size, site);
        shadow = new ValueShadow(vbits, OriginOf(address, size));
        return size switch
        {
            2 => Unsafe.ReadUnaligned<ushort>((void*)address),
            4 => Unsafe.ReadUnaligned<uint>((void*)address),
            _ => Unsafe.ReadUnaligned<ulong>((void*)address),
        };
    }

    /// <summary>
    /// A 1, 2, 4 or 8-byte store with its shadow; noaccess bytes are an "Invalid write of size N" and stay noaccess. The
    /// bytes take the origin tag, whatever their V bits, as a store by guest code gives them.
    /// </summary>
    public void Store(ulong address, int size, ulong value, ValueShadow shadow, int site)
    {
        if (size == 1)
            StoreByte(address, (byte)value, (byte)shadow.VBits, site);
        else
            StoreWord(address, size, value, shadow.VBits, site);
        _origins?.Store(address, (ulong)size, shadow.Origin);
    }

    private void StoreWord(ulong address, int size, ulong value, ulong vbits, int site)
    {
        if (_shadow.CheckAddressable(address, (ulong)size) is not null)
            _host.InvalidWrite(_state, site, address, size);
        EnsureWritable(address, (ulong)size, site);
        switch (size)
        {
            case 2: Unsafe.WriteUnaligned((void*)address, (ushort)value); break;
            case 4: Unsafe.WriteUnaligned((void*)address, (uint)value); break;
            default: Unsafe.WriteUnaligned((void*)address, value); break;
        }
        _shadow.SetVBits(address, size, vbits);
    }

    /// <summary>The common store of string copies: one shadow lookup, and no shadow write when a defined byte stays defined.</summary>
    private void StoreByte(ulong address, byte value, byte vbits, int site)
    {
        VaBits a = _shadow.Get(address);
        if (a == VaBits.NoAccess)
            _host.InvalidWrite(_state, site, address, 1);
        EnsureWritable(address, 1, site);
        *(byte*)address = value;
        if (a != VaBits.Defined || vbits != 0)
            _shadow.SetVBits(address, 1, vbits);
    }

    /// <summary>A branch on a value: any undefined bit is reported with its origin, and the branch goes on the real value.</summary>
    public void Decide(ValueShadow shadow, int site)
    {
        if (shadow.VBits != 0)
            _host.UninitialisedCondition(_state, site, shadow.Origin);
    }

    public void Overlap(int site, string function, ulong destination, ulong source, ulong length) =>
        _host.Overlap(_state, site, function, destination, source, length);

    public void BufferOverflow(string function)
    {
        _host.BufferOverflow(_state, function);
        throw new ReplacementStopped();
    }

    /// <summary>
    /// Whether [address, address+length) is addressable and readable (writable for <paramref name="write"/>), so a
    /// bulk copy or fill cannot raise any report and gives the same memory and shadow as the checked loop.
    /// </summary>
    public bool AllAccessible(ulong address, ulong length, bool write) =>
        address + length >= address
        && _shadow.CheckAddressable(address, length) is null
        && (write ? _host.CanWrite(address, length) : _host.CanRead(address, length));

    public ShadowMemory Shadow => _shadow;

    private uint OriginOf(ulong address, int size) => _origins?.Load(address, (ulong)size) ?? OriginTags.None;

    private ulong NoAccessMask(ulong address, int size)
    {
        ulong mask = 0;
        for (int i = 0; i < size; i++)
            if (_shadow.Get(address + (ulong)i) == VaBits.NoAccess)
                mask |= 0xFFUL << (8 * i);
        return mask;
    }

    private void EnsureReadable(ulong address, ulong size, int site)
    {
        ulong page = address >> PageShift;
        if (page == _readablePage && (address + size - 1) >> PageShift == page)
            return;
        if (!_host.CanRead(address, size))
            Stop(address, site);
        if (_host.CanRead(page << PageShift, 1UL << PageShift))
            _readablePage = page;
    }

    private void EnsureWritable(ulong address, ulong size, int site)
    {
        ulong page = address >> PageShift;
        if (page == _writablePage && (address + size - 1) >> PageShift == page)
            return;
        if (!_host.CanWrite(address, size))
            Stop(address, site);
        if (_host.CanWrite(page << PageShift, 1UL << PageShift))
            _writablePage = page;
    }

    private void Stop(ulong address, int site)
    {
        _host.Fault(_state, site, address);
        throw new ReplacementStopped();
    }
}

/// <summary>
/// What a replacement knows of a value it loaded: its V bits (bit set = undefined) and its origin tag. Combining two
/// values combines both: undefined where either is, the larger tag.
/// </summary>
public readonly record struct ValueShadow(ulong VBits, uint Origin)
{
    public static readonly ValueShadow Defined = new(0, OriginTags.None);

    public static ValueShadow operator |(ValueShadow a, ValueShadow b) => new(a.VBits | b.VBits, Math.Max(a.Origin, b.Origin));
}

/// <summary>
/// Ends a replacement early, after the host was told why (a fault, a __*_chk overflow); the entry point catches it
/// and returns to the host, which has arranged what the guest sees next.
/// </summary>
public sealed class ReplacementStopped : Exception;
