using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Bench;

/// <summary>The .text of a real ELF object served as guest code at its link-time addresses, without mapping it.</summary>
internal sealed class TextSection : ICodeSource
{
    public ulong Start { get; }
    public byte[] Bytes { get; }
    /// <summary>Addresses of the object's function symbols inside .text: realistic block starts.</summary>
    public ulong[] FunctionStarts { get; }

    public TextSection(string path)
    {
        using var elf = ELFReader.Load<ulong>(path);
        var text = elf.GetSection(".text") as Section<ulong> ?? throw new InvalidOperationException($"{path} has no .text");
        Start = text.LoadAddress;
        Bytes = text.GetContents();
        var symbols = elf.Sections.OfType<ISymbolTable>().SelectMany(t => t.Entries.OfType<SymbolEntry<ulong>>());
        FunctionStarts = [.. symbols
            .Where(s => s.Type == SymbolType.Function && s.Value >= Start && s.Value < Start + (ulong)Bytes.Length)
            .Select(s => s.Value).Distinct().Order()];
    }

    public int Read(ulong address, Span<byte> buffer)
    {
        if (address < Start || address >= Start + (ulong)Bytes.Length) return 0;
        var available = Bytes.AsSpan((int)(address - Start));
        int n = Math.Min(available.Length, buffer.Length);
        available[..n].CopyTo(buffer);
        return n;
    }
}
