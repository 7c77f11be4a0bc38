using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Guest;

/// <summary>
/// Guest code as the lifter reads it: straight from guest memory (identity mapping), stopping at
/// the first page that is not executable. Executable pages are always host-readable (see
/// <see cref="GuestAddressSpace"/>), so the copy cannot fault.
/// </summary>
public sealed unsafe class GuestCodeSource(PageMap pages) : ICodeSource
{
    public int Read(ulong address, Span<byte> buffer)
    {
        int available = 0;
        while (available < buffer.Length)
        {
            ulong at = address + (ulong)available;
            if (at < address || !pages.CanExecute(at, 1)) break;
            int inPage = (int)Math.Min((ulong)(buffer.Length - available), PageMap.PageSize - (at & PageMap.PageMask));
            new ReadOnlySpan<byte>((void*)at, inPage).CopyTo(buffer[available..]);
            available += inPage;
        }
        return available;
    }
}
