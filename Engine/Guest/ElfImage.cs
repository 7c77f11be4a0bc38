using System.Buffers.Binary;
using System.Text;
using ELFSharp.ELF;
using ELFSharp.ELF.Segments;

namespace Memcheck.Engine.Guest;

/// <summary>
/// An x86-64 ELF executable or shared object, validated before ELFSharp parses it. Exposes what
/// loading needs (type, entry, program headers, interpreter, TLS, GNU_STACK, PT_PHDR) and the
/// ELFSharp view for sections and symbols.
/// </summary>
public sealed class ElfImage : IDisposable
{
    public string Path { get; }
    public ElfType Type { get; }
    public ulong Entry { get; }
    public IReadOnlyList<ProgramHeader> ProgramHeaders { get; }
    /// <summary>File offset and count of the program header table (for AT_PHDR/AT_PHNUM).</summary>
    public ulong ProgramHeaderOffset { get; }
    public int ProgramHeaderCount => ProgramHeaders.Count;
    /// <summary>PT_INTERP path, or null for a static program.</summary>
    public string? Interpreter { get; }
    public ProgramHeader? Tls { get; }
    public ProgramHeader? GnuStack { get; }
    public ProgramHeader? Phdr { get; }
    /// <summary>ELFSharp's view of the same bytes, for sections and symbols.</summary>
    public ELF<ulong> Elf { get; }

    public IEnumerable<ProgramHeader> LoadSegments => ProgramHeaders.Where(h => h.Type == ProgramHeader.PtLoad);

    /// <summary>Stack protection the program asks for; without PT_GNU_STACK x86-64 Linux makes the stack executable.</summary>
    public PageProtection StackProtection => GnuStack is { } s ? s.Protection | PageProtection.ReadWrite : PageProtection.All;

    /// <summary>Unrelocated address of the program header table in memory, or null when no segment loads it.</summary>
    public ulong? ProgramHeaderAddress
    {
        get
        {
            if (Phdr is { } p) return p.VirtualAddress;
            foreach (var h in LoadSegments)
                if (ProgramHeaderOffset >= h.Offset && ProgramHeaderOffset < h.Offset + h.FileSize)
                    return h.VirtualAddress + (ProgramHeaderOffset - h.Offset);
            return null;
        }
    }

    private ElfImage(string path, ELF<ulong> elf, ProgramHeader[] headers, ulong phoff, ulong entry, ElfType type, string? interpreter)
    {
        Path = path;
        Elf = elf;
        ProgramHeaders = headers;
        ProgramHeaderOffset = phoff;
        Entry = entry;
        Type = type;
        Interpreter = interpreter;
        Tls = Single(headers, ProgramHeader.PtTls);
        GnuStack = Single(headers, ProgramHeader.PtGnuStack);
        Phdr = Single(headers, ProgramHeader.PtPhdr);
    }

    /// <summary>Read and validate an ELF file; every problem becomes a <see cref="GuestLoadException"/>.</summary>
    public static ElfImage Load(string path)
    {
        if (Directory.Exists(path)) throw GuestLoadException.For(path, "is a directory");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw GuestLoadException.For(path, "No such file or directory");
        }
        catch (UnauthorizedAccessException)
        {
            throw GuestLoadException.For(path, "Permission denied");
        }
        catch (IOException e)
        {
            throw new GuestLoadException($"memcheck: {path}: {e.Message}", e);
        }
        return FromBytes(path, bytes);
    }

    public static ElfImage FromBytes(string path, byte[] bytes)
    {
        if (ElfHeaderCheck.Problem(bytes) is { } problem) throw GuestLoadException.For(path, problem);
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(32));
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(56));
        var headers = ElfHeaderCheck.ReadProgramHeaders(bytes, phoff, phnum);
        string? interpreter = null;
        if (Single(headers, ProgramHeader.PtInterp) is { } interp)
        {
            var raw = bytes.AsSpan((int)interp.Offset, (int)interp.FileSize);
            int nul = raw.IndexOf((byte)0);
            if (nul <= 0) throw GuestLoadException.For(path, "corrupt program headers");
            interpreter = Encoding.UTF8.GetString(raw[..nul]);
        }
        ELF<ulong> elf;
        try
        {
            byte[] forParser = ElfHeaderCheck.SectionTableIsSound(bytes) ? bytes : ElfHeaderCheck.WithoutSections(bytes);
            if (!ELFReader.TryLoad(new MemoryStream(forParser, writable: false), true, out ELF<ulong> parsed))
                throw GuestLoadException.For(path, "not an ELF file");
            elf = parsed;
        }
        catch (Exception e) when (e is not GuestLoadException)
        {
            // Section contents (symbol or string tables) ELFSharp reads eagerly and we do not validate.
            throw new GuestLoadException($"memcheck: {path}: corrupt ELF file", e);
        }
        return new ElfImage(path, elf, headers, phoff, elf.EntryPoint, (ElfType)elf.Type, interpreter);
    }

    private static ProgramHeader? Single(ProgramHeader[] headers, uint type)
    {
        foreach (var h in headers)
            if (h.Type == type) return h;
        return null;
    }

    public void Dispose() => Elf.Dispose();
}
