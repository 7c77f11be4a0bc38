namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// The leak checker's view of identity-mapped guest memory: a word is a candidate pointer only when the shadow says
/// all its bytes are addressable and defined, as in Valgrind. File mappings come from the guest's address space.
/// </summary>
public sealed unsafe class ShadowLeakMemory(ShadowMemory shadow, Func<ulong, FileMapping?> findFileMapping) : ILeakMemory
{
    public bool TryReadWord(ulong address, out ulong value)
    {
        if (shadow.GetVBits(address, 8, out bool addressable) != 0 || !addressable)
        {
            value = 0;
            return false;
        }
        value = *(ulong*)address;
        return true;
    }

    public FileMapping? FindFileMapping(ulong address) => findFileMapping(address);
}
