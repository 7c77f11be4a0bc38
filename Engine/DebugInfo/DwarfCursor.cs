using System.Buffers.Binary;
using System.Text;

namespace Memcheck.Engine.DebugInfo;

/// <summary>Little-endian reader over a DWARF or ELF byte range: fixed-size integers, LEB128, C strings.</summary>
internal ref struct DwarfCursor(ReadOnlySpan<byte> data, int position = 0)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; set; } = position;
    public readonly bool AtEnd => Position >= _data.Length;
    public readonly int Length => _data.Length;

    public byte U8() => _data[Position++];
    public sbyte S8() => (sbyte)_data[Position++];
    public ushort U16() { var v = BinaryPrimitives.ReadUInt16LittleEndian(_data[Position..]); Position += 2; return v; }
    public uint U32() { var v = BinaryPrimitives.ReadUInt32LittleEndian(_data[Position..]); Position += 4; return v; }
    public ulong U64() { var v = BinaryPrimitives.ReadUInt64LittleEndian(_data[Position..]); Position += 8; return v; }
    public ulong Offset(bool dwarf64) => dwarf64 ? U64() : U32();

    public ulong Uleb()
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = _data[Position++];
            if (shift < 64) result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return result;
        }
    }

    public long Sleb()
    {
        long result = 0;
        int shift = 0;
        byte b;
        do
        {
            b = _data[Position++];
            if (shift < 64) result |= (long)(b & 0x7f) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        if (shift < 64 && (b & 0x40) != 0) result |= -1L << shift;
        return result;
    }

    public string CString()
    {
        int end = _data[Position..].IndexOf((byte)0);
        string s = Encoding.UTF8.GetString(_data.Slice(Position, end));
        Position += end + 1;
        return s;
    }

    public void Skip(int count) => Position += count;

    /// <summary>The initial length of a DWARF unit: (length of what follows, whether 64-bit DWARF).</summary>
    public (ulong Length, bool Dwarf64) UnitLength()
    {
        uint first = U32();
        return first == 0xffffffff ? (U64(), true) : (first, false);
    }

    public static string CStringAt(ReadOnlySpan<byte> data, ulong offset) => new DwarfCursor(data, checked((int)offset)).CString();
}
