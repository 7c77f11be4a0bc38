using System.Runtime.InteropServices;
using System.Text;

namespace Memcheck.Engine.Os;

/// <summary>
/// The envp an execve'd program gets: the guest's own array, or, when its LD_PRELOAD names the preload objects, a
/// copy in engine memory whose LD_PRELOAD no longer does. The other entries stay the guest's strings.
/// </summary>
internal sealed unsafe class ExecEnvironment : IDisposable
{
    private static readonly string Prefix = PreloadObjects.Variable + "=";
    /// <summary>The kernel's limit on one argument or environment string (MAX_ARG_STRLEN).</summary>
    private const int MaxEntryLength = 128 * 1024;

    private readonly void* _copy;

    private ExecEnvironment(ulong envp, void* copy)
    {
        Envp = envp;
        _copy = copy;
    }

    /// <summary>The envp pointer to pass the kernel.</summary>
    public ulong Envp { get; }

    /// <param name="envp">The guest's NULL-terminated array, already checked to lie in guest memory.</param>
    public static ExecEnvironment Of(GuestMemory memory, ulong envp, PreloadObjects preloads)
    {
        var entries = new List<ulong>();
        int? preloadIndex = null;
        string? stripped = null;
        for (ulong at = envp; envp != 0 && memory.TryRead(at, out ulong entry) && entry != 0; at += 8)
        {
            if (preloadIndex is null && memory.ReadCString(entry, MaxEntryLength) is { } text && text.StartsWith(Prefix, StringComparison.Ordinal))
            {
                preloadIndex = entries.Count;
                stripped = Prefix + preloads.Strip(text[Prefix.Length..]);
                if (stripped == text) return new ExecEnvironment(envp, null);
            }
            entries.Add(entry);
        }
        if (stripped is null) return new ExecEnvironment(envp, null);

        byte[] text8 = Encoding.UTF8.GetBytes(stripped + "\0");
        ulong arrayBytes = (ulong)(entries.Count + 1) * 8;
        byte* copy = (byte*)NativeMemory.Alloc((nuint)(arrayBytes + (ulong)text8.Length));
        var array = (ulong*)copy;
        for (int i = 0; i < entries.Count; i++) array[i] = entries[i];
        array[entries.Count] = 0;
        text8.CopyTo(new Span<byte>(copy + arrayBytes, text8.Length));
        array[preloadIndex!.Value] = (ulong)(copy + arrayBytes);
        return new ExecEnvironment((ulong)copy, copy);
    }

    public void Dispose()
    {
        if (_copy != null) NativeMemory.Free(_copy);
    }
}
