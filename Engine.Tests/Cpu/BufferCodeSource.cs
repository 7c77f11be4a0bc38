using Iced.Intel;
using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Tests.Cpu;

/// <summary>Guest code held in a managed buffer at a pretend address; everything else is unreadable.</summary>
public sealed class BufferCodeSource(ulong address, byte[] bytes) : ICodeSource
{
    public ulong Address => address;
    public ulong End => address + (ulong)bytes.Length;

    public int Read(ulong at, Span<byte> buffer)
    {
        if (at < address || at >= End) return 0;
        int offset = (int)(at - address);
        int n = Math.Min(buffer.Length, bytes.Length - offset);
        bytes.AsSpan(offset, n).CopyTo(buffer);
        return n;
    }

    public static BufferCodeSource Assemble(ulong address, Action<Assembler> emit)
    {
        var a = new Assembler(64);
        emit(a);
        var writer = new Writer();
        a.Assemble(writer, address);
        return new BufferCodeSource(address, writer.Bytes.ToArray());
    }

    private sealed class Writer : CodeWriter
    {
        public List<byte> Bytes { get; } = [];
        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
