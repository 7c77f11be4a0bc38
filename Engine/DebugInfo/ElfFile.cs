using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Memcheck.Engine.DebugInfo;

/// <summary>One ELF64 file's section headers, PT_LOADs and notes, with section contents decompressed on request.</summary>
internal sealed class ElfFile
{
    private const uint ShtNobits = 8, ShtNote = 7;
    private const ulong ShfCompressed = 0x800;
    private const uint PtLoad = 1, ElfCompressZlib = 1, NtGnuBuildId = 3;

    public sealed record Section(string Name, uint Type, ulong Flags, ulong Address, ulong Offset, ulong Size, uint Link);
    public readonly record struct Load(ulong VirtualAddress, ulong FileOffset, ulong FileSize, ulong MemorySize);

    private readonly byte[] _bytes;
    private readonly Dictionary<string, Section> _sections = new();
    private readonly List<Section> _byIndex = new();

    public string Path { get; }
    public IReadOnlyList<Load> Loads { get; }
    public byte[]? BuildId { get; }

    private ElfFile(string path, byte[] bytes)
    {
        Path = path;
        _bytes = bytes;
        ReadOnlySpan<byte> b = bytes;
        if (b.Length < 64 || !b[..4].SequenceEqual((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F']) || b[4] != 2) throw new InvalidDataException($"{path}: not an ELF64 file");
        ulong phoff = U64(b, 32), shoff = U64(b, 40);
        int phentsize = U16(b, 54), phnum = U16(b, 56), shentsize = U16(b, 58), shnum = U16(b, 60), shstrndx = U16(b, 62);

        var loads = new List<Load>();
        for (int i = 0; i < phnum; i++)
        {
            var ph = b[(int)(phoff + (ulong)(i * phentsize))..];
            if (U32(ph, 0) == PtLoad) loads.Add(new Load(U64(ph, 16), U64(ph, 8), U64(ph, 32), U64(ph, 40)));
        }
        Loads = loads;

        if (shoff == 0 || shnum == 0) return;
        var headers = new (uint Name, uint Type, ulong Flags, ulong Addr, ulong Offset, ulong Size, uint Link)[shnum];
        for (int i = 0; i < shnum; i++)
        {
            var sh = b[(int)(shoff + (ulong)(i * shentsize))..];
            headers[i] = (U32(sh, 0), U32(sh, 4), U64(sh, 8), U64(sh, 16), U64(sh, 24), U64(sh, 32), U32(sh, 40));
        }
        var names = b[(int)headers[shstrndx].Offset..];
        foreach (var h in headers)
        {
            string name = DwarfCursor.CStringAt(names, h.Name);
            var section = new Section(name, h.Type, h.Flags, h.Addr, h.Offset, h.Size, h.Link);
            _sections.TryAdd(name, section);
            _byIndex.Add(section);
            if (h.Type == ShtNote) BuildId ??= FindBuildId(b.Slice((int)h.Offset, (int)h.Size));
        }
    }

    public static ElfFile Open(string path) => new(path, File.ReadAllBytes(path));

    public static ElfFile? TryOpen(string path) => File.Exists(path) ? Open(path) : null;

    public Section? Find(string name) => _sections.GetValueOrDefault(name);

    public Section SectionAt(uint index) => _byIndex[(int)index];

    /// <summary>A section's contents (empty when absent or NOBITS), inflated when SHF_COMPRESSED.</summary>
    public byte[] Contents(string name) => Find(name) is { } s ? Contents(s) : [];

    public byte[] Contents(Section s)
    {
        if (s.Type == ShtNobits || s.Size == 0) return [];
        var raw = _bytes.AsSpan((int)s.Offset, (int)s.Size);
        if ((s.Flags & ShfCompressed) == 0) return raw.ToArray();
        // Elf64_Chdr: type, reserved, uncompressed size, alignment; a zlib stream follows.
        if (U32(raw, 0) != ElfCompressZlib) throw new InvalidDataException($"{Path}: {s.Name} uses compression type {U32(raw, 0)}");
        var result = new byte[U64(raw, 8)];
        using var zlib = new ZLibStream(new MemoryStream(_bytes, (int)s.Offset + 24, (int)s.Size - 24), CompressionMode.Decompress);
        zlib.ReadExactly(result);
        return result;
    }

    /// <summary>The .gnu_debuglink file name and the CRC-32 of that file, when the file names a separate debug file.</summary>
    public (string Name, uint Crc)? DebugLink
    {
        get
        {
            var data = Contents(".gnu_debuglink");
            if (data.Length == 0) return null;
            string name = DwarfCursor.CStringAt(data, 0);
            // The name's bytes and NUL, padded to four bytes, then the CRC.
            int crcAt = (Encoding.UTF8.GetByteCount(name) + 1 + 3) & ~3;
            return crcAt + 4 <= data.Length ? (name, U32(data, crcAt)) : null;
        }
    }

    /// <summary>Whether the file's CRC-32 is the one a .gnu_debuglink recorded.</summary>
    public bool HasCrc(uint crc) => Crc32.Of(_bytes) == crc;

    private static byte[]? FindBuildId(ReadOnlySpan<byte> notes)
    {
        int p = 0;
        while (p + 12 <= notes.Length)
        {
            uint nameSize = U32(notes, p), descSize = U32(notes, p + 4), type = U32(notes, p + 8);
            int name = p + 12, desc = name + Align4(nameSize);
            if (type == NtGnuBuildId && Encoding.ASCII.GetString(notes.Slice(name, (int)nameSize)) == "GNU\0")
                return notes.Slice(desc, (int)descSize).ToArray();
            p = desc + Align4(descSize);
        }
        return null;
    }

    private static int Align4(uint n) => (int)((n + 3) & ~3u);
    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, ulong at) => U64(b, (int)at);
}
