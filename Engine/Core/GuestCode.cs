using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;

namespace Memcheck.Engine.Core;

/// <summary>Guest instruction bytes, read in place (identity mapping) from executable guest pages.</summary>
internal sealed unsafe class GuestCode(PageMap pages) : ICodeSource
{
    public int Read(ulong address, Span<byte> buffer)
    {
        int n = 0;
        while (n < buffer.Length && pages.CanExecute(address + (ulong)n, 1))
        {
            int inPage = (int)Math.Min((ulong)(buffer.Length - n), PageMap.PageSize - ((address + (ulong)n) & PageMap.PageMask));
            new ReadOnlySpan<byte>((void*)(address + (ulong)n), inPage).CopyTo(buffer[n..]);
            n += inPage;
        }
        return n;
    }
}
