using System.Buffers.Binary;

namespace Memcheck.Engine.Tests.Guest;

/// <summary>Crafts small ELF64 files byte by byte, valid by default, for loader tests.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class TestElf
{
    public sealed record Segment(uint Type, uint Flags, ulong Offset, ulong Vaddr, ulong FileSize, ulong MemSize, ulong Align = 0x1000);

    public const int FileLength = 0x2000;
    public const byte DataByte = 0xAB, PastDataByte = 0xCD;

    /// <summary>
    /// Text R-X page at base, data RW at base+0x1000 with 0x800 file bytes (0xAB) and bss up to
    /// base+0x4000; the file bytes after the data (0xCD) must not show through the bss.
    /// </summary>
    public static List<Segment> DefaultSegments(ulong baseAddress) =>
    [
        new(1, 5, 0, baseAddress, 0x1000, 0x1000),
        new(1, 6, 0x1000, baseAddress + 0x1000, 0x800, 0x3000),
        new(0x6474e551, 6, 0, 0, 0, 0, 16),
    ];

    public static byte[] Build(ushort type = 2, ushort machine = 62, ulong? entry = null, List<Segment>? segments = null,
        int length = FileLength, byte elfClass = 2)
    {
        ulong baseAddress = type == 2 ? 0x400000UL : 0;
        segments ??= DefaultSegments(baseAddress);
        var bytes = new byte[Math.Max(length, 64 + 56 * segments.Count)];
        bytes.AsSpan(0x1000.Clamp(bytes.Length), (0x1800.Clamp(bytes.Length)) - 0x1000.Clamp(bytes.Length)).Fill(DataByte);
        bytes.AsSpan(0x1800.Clamp(bytes.Length)).Fill(PastDataByte);
        "\x7f"u8.CopyTo(bytes);
        "ELF"u8.CopyTo(bytes.AsSpan(1));
        bytes[4] = elfClass;
        bytes[5] = 1;
        bytes[6] = 1;
        var h = bytes.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(h[16..], type);
        BinaryPrimitives.WriteUInt16LittleEndian(h[18..], machine);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(h[24..], entry ?? baseAddress + 0x78);
        BinaryPrimitives.WriteUInt64LittleEndian(h[32..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(h[52..], 64);
        BinaryPrimitives.WriteUInt16LittleEndian(h[54..], 56);
        BinaryPrimitives.WriteUInt16LittleEndian(h[56..], (ushort)segments.Count);
        for (int i = 0; i < segments.Count; i++)
        {
            var p = h.Slice(64 + 56 * i);
            var s = segments[i];
            BinaryPrimitives.WriteUInt32LittleEndian(p, s.Type);
            BinaryPrimitives.WriteUInt32LittleEndian(p[4..], s.Flags);
            BinaryPrimitives.WriteUInt64LittleEndian(p[8..], s.Offset);
            BinaryPrimitives.WriteUInt64LittleEndian(p[16..], s.Vaddr);
            BinaryPrimitives.WriteUInt64LittleEndian(p[24..], s.Vaddr);
            BinaryPrimitives.WriteUInt64LittleEndian(p[32..], s.FileSize);
            BinaryPrimitives.WriteUInt64LittleEndian(p[40..], s.MemSize);
            BinaryPrimitives.WriteUInt64LittleEndian(p[48..], s.Align);
        }
        return bytes[..length];
    }

    private static int Clamp(this int value, int length) => Math.Min(value, length);

    /// <summary>Write bytes to a fresh executable temp file and return its path.</summary>
    public static string WriteTemp(byte[] bytes, string directory)
    {
        string path = Path.Combine(directory, $"elf{Guid.NewGuid():N}");
        File.WriteAllBytes(path, bytes);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
