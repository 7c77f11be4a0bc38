using System.Runtime.InteropServices;
using Iced.Intel;

namespace Memcheck.Engine.Tests.Cpu.X87;

/// <summary>Machine code assembled with Iced into an executable page, to run on the real CPU.</summary>
internal sealed unsafe class NativeCode : IDisposable
{
    private const int ProtRwx = 7, MapPrivateAnonymous = 0x22;
    private readonly nint _page;
    private readonly nuint _size;

    public byte[] Bytes { get; }
    /// <summary>Entry point: void f(void* a, void* b).</summary>
    public delegate* unmanaged<void*, void*, void> Function => (delegate* unmanaged<void*, void*, void>)_page;

    public NativeCode(Assembler asm)
    {
        Bytes = Assemble(asm);
        _size = (nuint)((Bytes.Length + 4095) & ~4095);
        _page = mmap(0, _size, ProtRwx, MapPrivateAnonymous, -1, 0);
        if (_page == -1) throw new InvalidOperationException("mmap failed");
        Marshal.Copy(Bytes, 0, _page, Bytes.Length);
    }

    /// <summary>The machine code of position-independent snippets (no branches between them).</summary>
    public static byte[] Assemble(Assembler asm)
    {
        var writer = new CodeWriterImpl();
        asm.Assemble(writer, 0);
        return writer.ToArray();
    }

    public void Dispose() => munmap(_page, _size);

    [DllImport("libc", SetLastError = true)]
    private static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

    [DllImport("libc")]
    private static extern int munmap(nint addr, nuint length);

    private sealed class CodeWriterImpl : CodeWriter
    {
        private readonly List<byte> _bytes = [];
        public override void WriteByte(byte value) => _bytes.Add(value);
        public byte[] ToArray() => [.. _bytes];
    }
}
