namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// The leak checker's view of identity-mapped guest memory: a word is a candidate pointer only when the shadow says
/// all its bytes are addressable and defined, as in Valgrind. File mappings come from the guest's address space.
/// Pages that would fault when read (a file mapping past its file's end) are skipped, as Valgrind's scan skips them.
/// </summary>
public sealed unsafe class ShadowLeakMemory(ShadowMemory shadow, Func<ulong, FileMapping?> findFileMapping) : ILeakMemory
{
    private readonly Dictionary<ulong, bool> _readablePages = [];

    public bool TryReadWord(ulong address, out ulong value)
    {
        value = 0;
        if (shadow.GetVBits(address, 8, out bool addressable) != 0 || !addressable || !IsReadable(address)) return false;
        value = *(ulong*)address;
        return true;
    }

    /// <summary>Asked once per page (a scanned word never crosses one: the scan reads aligned words).</summary>
    private bool IsReadable(ulong address)
    {
        ulong page = address >> 12;
        if (!_readablePages.TryGetValue(page, out bool readable)) _readablePages[page] = readable = Os.HostMemory.IsReadable(address);
        return readable;
    }

    public FileMapping? FindFileMapping(ulong address) => findFileMapping(address);
}
