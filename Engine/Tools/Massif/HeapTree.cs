using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Tools.Massif;

/// <summary>
/// Massif's allocation tree as the run goes: from the root (every allocation function) down through the code locations
/// allocations came through, innermost first, with the bytes live below each. Nodes stay once made: a location whose
/// blocks were all freed keeps 0 bytes and, as in Valgrind, still counts among the places below the threshold.
/// </summary>
internal sealed class HeapTree(bool pages)
{
    public HeapTreeNode Root { get; } = new(null, 0, []);

    public void Add(HeapTreeNode site, ulong bytes)
    {
        for (HeapTreeNode? n = site; n is not null; n = n.Parent) n.Bytes += bytes;
    }

    public void Remove(HeapTreeNode site, ulong bytes)
    {
        for (HeapTreeNode? n = site; n is not null; n = n.Parent) n.Bytes -= bytes;
    }

    /// <summary>
    /// The tree a detailed snapshot records: each location significant at <paramref name="threshold"/> percent of the
    /// snapshot's <paramref name="total"/> bytes with its own significant children; the others of each parent folded
    /// into one below-threshold entry.
    /// </summary>
    public AllocationFunctionsEntry Snapshot(ulong total, double threshold)
    {
        // Measured against Valgrind: the threshold is whole bytes of the total, rounded down, and an empty snapshot has
        // nothing significant unless the threshold is 0.
        ulong minimum = (ulong)(total * threshold / 100);
        bool Significant(ulong bytes) => total == 0 ? threshold == 0 : bytes >= minimum;
        return new AllocationFunctionsEntry(Root.Bytes, pages, Entries(Root, Significant));
    }

    private static List<HeapTreeEntry> Entries(HeapTreeNode node, Func<ulong, bool> significant)
    {
        var entries = new List<HeapTreeEntry>(node.Children.Count);
        ulong belowBytes = 0;
        int belowPlaces = 0;
        foreach (HeapTreeNode child in node.Children)
        {
            if (significant(child.Bytes))
                entries.Add(new CodeLocationEntry(child.Bytes, child.Address, child.Frames, Entries(child, significant)));
            else
            {
                belowBytes += child.Bytes;
                belowPlaces++;
            }
        }
        // Biggest first; equal sizes by address, and the folded entry after the locations of its size.
        entries.Sort((a, b) => b.Bytes != a.Bytes ? b.Bytes.CompareTo(a.Bytes) : ((CodeLocationEntry)a).Address.CompareTo(((CodeLocationEntry)b).Address));
        if (belowPlaces > 0)
        {
            int at = entries.FindIndex(e => e.Bytes < belowBytes);
            entries.Insert(at < 0 ? entries.Count : at, new BelowThresholdEntry(belowBytes, belowPlaces));
        }
        return entries;
    }
}

/// <summary>One code location of the live tree: its address, how Valgrind describes it, its callers' locations below it.</summary>
internal sealed class HeapTreeNode(HeapTreeNode? parent, ulong address, IReadOnlyList<StackFrame> frames)
{
    private Dictionary<ulong, HeapTreeNode>? _byAddress;

    public HeapTreeNode? Parent { get; } = parent;
    public ulong Address { get; } = address;
    public IReadOnlyList<StackFrame> Frames { get; } = frames;
    public List<HeapTreeNode> Children { get; } = [];
    public ulong Bytes { get; set; }

    /// <summary>The child for the caller at <paramref name="address"/>, made (described by <paramref name="frames"/>) on first use.</summary>
    public HeapTreeNode Child(ulong address, IReadOnlyList<StackFrame> frames)
    {
        _byAddress ??= [];
        if (!_byAddress.TryGetValue(address, out var child))
        {
            child = new HeapTreeNode(this, address, frames);
            _byAddress.Add(address, child);
            Children.Add(child);
        }
        return child;
    }
}
