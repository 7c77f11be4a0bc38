using Memcheck.Engine.Tools.Memcheck;

namespace Memcheck.Engine.Tests.MemcheckTool;

/// <summary>Guest memory as a map of defined words, plus file mappings: enough to build heaps by hand.</summary>
public sealed class FakeLeakMemory : ILeakMemory
{
    private readonly Dictionary<ulong, ulong> _words = [];
    private readonly List<FileMapping> _files = [];

    public ulong this[ulong address]
    {
        set => _words[address] = value;
    }

    public void AddFile(FileMapping mapping) => _files.Add(mapping);

    public bool TryReadWord(ulong address, out ulong value) => _words.TryGetValue(address, out value);

    public FileMapping? FindFileMapping(ulong address) =>
        _files.Where(f => address >= f.Start && address < f.End).Select(f => (FileMapping?)f).FirstOrDefault();
}
