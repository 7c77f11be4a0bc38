using System.Runtime.CompilerServices;
using System.Text;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Os;

/// <summary>
/// Emulated syscalls' access to guest memory: every touch is checked with the guard first, so a bad guest
/// pointer becomes -EFAULT (as the kernel returns) instead of a fault in the host.
/// </summary>
internal sealed unsafe class GuestMemory(IGuestMemoryGuard guard)
{
    private const ulong PageSize = 4096;
    /// <summary>The guard takes int sizes: long ranges are checked in chunks of this many bytes.</summary>
    private const ulong Chunk = 1 << 30;

    public bool CanRead(ulong address, ulong length) => Check(address, length, guard.CanRead);
    public bool CanWrite(ulong address, ulong length) => Check(address, length, guard.CanWrite);

    public bool TryRead<T>(ulong address, out T value) where T : unmanaged
    {
        if (!CanRead(address, (ulong)sizeof(T))) { value = default; return false; }
        value = Unsafe.ReadUnaligned<T>((void*)address);
        return true;
    }

    public bool TryRead(ulong address, Span<byte> bytes)
    {
        if (!CanRead(address, (ulong)bytes.Length)) return false;
        new ReadOnlySpan<byte>((void*)address, bytes.Length).CopyTo(bytes);
        return true;
    }

    public bool TryWrite<T>(ulong address, T value) where T : unmanaged
    {
        if (!CanWrite(address, (ulong)sizeof(T))) return false;
        Unsafe.WriteUnaligned((void*)address, value);
        return true;
    }

    public bool TryWrite(ulong address, ReadOnlySpan<byte> bytes)
    {
        if (!CanWrite(address, (ulong)bytes.Length)) return false;
        bytes.CopyTo(new Span<byte>((void*)address, bytes.Length));
        return true;
    }

    /// <summary>The NUL-terminated UTF-8 string at the address, or null if it runs into memory the guest
    /// does not own or is longer than <paramref name="maxLength"/> (PATH_MAX by default).</summary>
    public string? ReadCString(ulong address, int maxLength = 4096)
    {
        int length = 0;
        while (length < maxLength)
        {
            ulong at = address + (ulong)length;
            // One guard question per page: the string may end anywhere in it.
            int piece = (int)Math.Min(PageSize - at % PageSize, (ulong)(maxLength - length));
            if (!guard.CanRead(at, piece)) return null;
            var span = new ReadOnlySpan<byte>((void*)at, piece);
            int nul = span.IndexOf((byte)0);
            if (nul >= 0) return Encoding.UTF8.GetString((byte*)address, length + nul);
            length += span.Length;
        }
        return null;
    }

    private static bool Check(ulong address, ulong length, Func<ulong, int, bool> allowed)
    {
        if (address + length < address) return false;
        for (ulong done = 0; done < length; done += Chunk)
            if (!allowed(address + done, (int)Math.Min(Chunk, length - done))) return false;
        return true;
    }
}
