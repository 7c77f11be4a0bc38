namespace Memcheck.Engine.Guest;

/// <summary>The guest's mappings in address order, split and merged as the kernel does for its VMAs.</summary>
internal sealed class MappingList
{
    private readonly List<GuestMapping> _mappings = [];

    public IReadOnlyList<GuestMapping> All => _mappings;

    public GuestMapping? Find(ulong address)
    {
        foreach (var m in _mappings)
            if (address >= m.Start && address < m.End) return m;
        return null;
    }

    /// <summary>The pieces of mappings overlapping [start, end), clipped to it.</summary>
    public List<GuestMapping> Overlapping(ulong start, ulong end) =>
        _mappings.Where(m => m.Start < end && m.End > start).Select(m => m.Slice(start, end)).ToList();

    public void Remove(ulong start, ulong end)
    {
        for (int i = 0; i < _mappings.Count; i++)
        {
            var m = _mappings[i];
            if (m.End <= start || m.Start >= end) continue;
            _mappings.RemoveAt(i);
            var pieces = new List<GuestMapping>(2);
            if (m.Start < start) pieces.Add(m.Slice(m.Start, start));
            if (m.End > end) pieces.Add(m.Slice(end, m.End));
            _mappings.InsertRange(i, pieces);
            i += pieces.Count - 1;
        }
    }

    /// <summary>Insert a mapping over a range already cleared with <see cref="Remove"/>, merging with neighbours.</summary>
    public void Add(GuestMapping mapping)
    {
        int i = 0;
        while (i < _mappings.Count && _mappings[i].Start < mapping.Start) i++;
        _mappings.Insert(i, mapping);
        if (i + 1 < _mappings.Count && _mappings[i].Continues(_mappings[i + 1]))
        {
            _mappings[i] = _mappings[i] with { Length = _mappings[i].Length + _mappings[i + 1].Length };
            _mappings.RemoveAt(i + 1);
        }
        if (i > 0 && _mappings[i - 1].Continues(_mappings[i]))
        {
            _mappings[i - 1] = _mappings[i - 1] with { Length = _mappings[i - 1].Length + _mappings[i].Length };
            _mappings.RemoveAt(i);
        }
    }

    public void Protect(ulong start, ulong end, PageProtection prot)
    {
        var pieces = Overlapping(start, end);
        Remove(start, end);
        foreach (var piece in pieces) Add(piece with { Protection = prot });
    }
}
