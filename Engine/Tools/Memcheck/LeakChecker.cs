namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// Valgrind's leak check. Mark from the roots: a pointer to a block's start reaches it, an interior pointer only
/// possibly reaches it (unless a heuristic recognises it), and what a possibly-reached block points to is at best
/// possibly reached. Then, in address order, every block still unreached leads a clique of the unreached blocks
/// it points to: it is definitely lost, they are indirectly lost and their sizes become its indirect size.
/// </summary>
public sealed class LeakChecker(ILeakMemory memory, LeakCheckOptions options)
{
    private const ulong WordSize = 8;
    private const ulong PageSize = 4096;
    /// <summary>Words of a candidate vtable looked at for two function pointers.</summary>
    private const int VtableMaxCheck = 20;

    private HeapBlock[] _blocks = [];
    private Mark[] _marks = [];
    private readonly Stack<int> _markStack = new();

    /// <param name="frames">Frames of an allocation stack id, to merge loss records at a resolution below High; null merges by stack id.</param>
    public LeakCheckResult Check(IEnumerable<HeapBlock> blocks, IEnumerable<RootRange> roots, IEnumerable<ulong> registers,
        Func<int, IReadOnlyList<ulong>>? frames = null)
    {
        _blocks = blocks.OrderBy(b => b.Address).ToArray();
        _marks = new Mark[_blocks.Length];
        Array.Fill(_marks, new Mark { State = LeakState.DefinitelyLost });
        foreach (RootRange root in roots)
            ScanRange(root.Start, root.Start + root.Length, priorDefinite: true, clique: -1);
        foreach (ulong value in registers)
            Reach(value, priorDefinite: true, clique: -1);
        ProcessMarkStack(clique: -1);

        for (int i = 0; i < _blocks.Length; i++)
            if (_marks[i].State == LeakState.DefinitelyLost)
            {
                _markStack.Push(i);
                ProcessMarkStack(clique: i);
            }

        var verdicts = new BlockVerdict[_blocks.Length];
        for (int i = 0; i < _blocks.Length; i++)
            verdicts[i] = new BlockVerdict(_blocks[i], _marks[i].State, _marks[i].Heuristic,
                _marks[i].State == LeakState.DefinitelyLost ? _marks[i].IndirectSize : 0);
        return new LeakCheckResult(verdicts, LossRecords(verdicts, frames), Summarise(verdicts));
    }

    private void ProcessMarkStack(int clique)
    {
        while (_markStack.TryPop(out int top))
        {
            HeapBlock block = _blocks[top];
            bool priorDefinite = clique == -1 && _marks[top].State == LeakState.StillReachable;
            ScanRange(block.Address, block.End, priorDefinite, clique);
        }
    }

    private void ScanRange(ulong start, ulong end, bool priorDefinite, int clique)
    {
        for (ulong a = (start + WordSize - 1) & ~(WordSize - 1); a + WordSize <= end && a + WordSize > a; a += WordSize)
            if (memory.TryReadWord(a, out ulong value))
                Reach(value, priorDefinite, clique);
    }

    private void Reach(ulong pointer, bool priorDefinite, int clique)
    {
        int index = FindBlock(pointer);
        if (index < 0)
            return;
        ref Mark mark = ref _marks[index];
        HeapBlock block = _blocks[index];
        if (clique >= 0)
        {
            // Clique mode: any pointer, start or interior, makes an unreached block part of the clique.
            if (mark.State != LeakState.DefinitelyLost || index == clique)
                return;
            mark.State = LeakState.IndirectlyLost;
            _marks[clique].IndirectSize += block.Size + mark.IndirectSize;
            mark.IndirectSize = 0;
            _markStack.Push(index);
            return;
        }
        if (mark.State == LeakState.StillReachable)
        {
            if (pointer == block.Address)
                mark.Heuristic = LeakHeuristic.None;
            return;
        }
        bool viaStart = pointer == block.Address;
        if (!viaStart)
        {
            LeakHeuristic heuristic = Recognise(pointer, block);
            if (heuristic != LeakHeuristic.None)
            {
                mark.Heuristic = heuristic;
                viaStart = true;
            }
        }
        if (viaStart && priorDefinite)
        {
            mark.State = LeakState.StillReachable;
            _markStack.Push(index);
        }
        else if (mark.State == LeakState.DefinitelyLost)
        {
            mark.State = LeakState.PossiblyLost;
            _markStack.Push(index);
        }
    }

    /// <summary>The block containing <paramref name="pointer"/> (a 0-byte block contains its own address), or -1.</summary>
    private int FindBlock(ulong pointer)
    {
        int lo = 0, hi = _blocks.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            HeapBlock b = _blocks[mid];
            if (pointer < b.Address)
                hi = mid - 1;
            else if (pointer >= b.Address + Math.Max(b.Size, 1))
                lo = mid + 1;
            else
                return mid;
        }
        return -1;
    }

    private LeakHeuristic Recognise(ulong pointer, HeapBlock block)
    {
        ulong data = block.Address;
        // std::string (pre-C++11 ABI): length, capacity, refcount, then the characters the pointer points at.
        if (Enabled(LeakHeuristic.StdString) && pointer == data + 3 * WordSize
            && memory.TryReadWord(data + WordSize, out ulong capacity)
            && 3 * WordSize + capacity + 1 == block.Size
            && memory.TryReadWord(data, out ulong length) && length <= capacity)
            return LeakHeuristic.StdString;
        // A 64-bit count of the remaining bytes, then the pointed-at data (sqlite's allocator).
        if (Enabled(LeakHeuristic.Length64) && pointer == data + WordSize
            && memory.TryReadWord(data, out ulong remaining) && remaining > 0 && block.Size - WordSize == remaining)
            return LeakHeuristic.Length64;
        // new[] of objects with destructors: an element count, then the array.
        if (Enabled(LeakHeuristic.NewArray) && pointer == data + WordSize
            && memory.TryReadWord(data, out ulong elements) && elements > 0 && (block.Size - WordSize) % elements == 0)
            return LeakHeuristic.NewArray;
        // A pointer to a second base class: both it and the object start hold vtable pointers.
        if (Enabled(LeakHeuristic.MultipleInheritance) && pointer % WordSize == 0
            && memory.TryReadWord(pointer, out ulong innerVtable) && innerVtable % WordSize == 0 && innerVtable >= PageSize
            && memory.TryReadWord(data, out ulong firstVtable) && firstVtable % WordSize == 0 && firstVtable >= PageSize
            && IsVtable(innerVtable) && IsVtable(firstVtable))
            return LeakHeuristic.MultipleInheritance;
        return LeakHeuristic.None;
    }

    private bool Enabled(LeakHeuristic heuristic) => (options.Heuristics & heuristic switch
    {
        LeakHeuristic.StdString => LeakHeuristics.StdString,
        LeakHeuristic.Length64 => LeakHeuristics.Length64,
        LeakHeuristic.NewArray => LeakHeuristics.NewArray,
        LeakHeuristic.MultipleInheritance => LeakHeuristics.MultipleInheritance,
        _ => LeakHeuristics.None,
    }) != 0;

    /// <summary>Valgrind's test: in a readable file mapping, and the first non-null words are two pointers into executable file mappings.</summary>
    private bool IsVtable(ulong address)
    {
        if (memory.FindFileMapping(address) is not { Readable: true } segment)
            return false;
        ulong last = Math.Min(address + VtableMaxCheck * WordSize, segment.End - WordSize);
        int functions = 0;
        for (ulong a = address; a <= last; a += WordSize)
        {
            if (!memory.TryReadWord(a, out ulong candidate))
                return false;
            if (candidate == 0)
                continue;
            if (memory.FindFileMapping(candidate) is not { Executable: true })
                return false;
            if (++functions == 2)
                return true;
        }
        return false;
    }

    private List<LossRecord> LossRecords(BlockVerdict[] verdicts, Func<int, IReadOnlyList<ulong>>? frames)
    {
        var records = new Dictionary<(LeakState, string), LossRecord>();
        var order = new List<(LeakState, string)>();
        foreach (BlockVerdict v in verdicts)
        {
            string stackKey = frames is null || options.Resolution == LeakResolution.High
                ? v.Block.AllocStack.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : string.Join(',', frames(v.Block.AllocStack).Take(options.Resolution == LeakResolution.Low ? 2 : 4));
            var key = (v.State, stackKey);
            if (records.TryGetValue(key, out LossRecord? r))
                records[key] = r with { DirectBytes = r.DirectBytes + v.Block.Size, IndirectBytes = r.IndirectBytes + v.IndirectSize, Blocks = r.Blocks + 1 };
            else
            {
                records[key] = new LossRecord(v.State, v.Block.AllocStack, v.Block.Size, v.IndirectSize, 1);
                order.Add(key);
            }
        }
        return order.Select(k => records[k])
            .OrderBy(r => r.TotalBytes).ThenBy(r => r.State).ThenBy(r => r.Blocks).ThenBy(r => r.AllocStack)
            .ToList();
    }

    private static LeakSummary Summarise(BlockVerdict[] verdicts)
    {
        var counts = new ByteBlockCount[4];
        var heuristics = new SortedDictionary<LeakHeuristic, ByteBlockCount>();
        foreach (BlockVerdict v in verdicts)
        {
            counts[(int)v.State] = counts[(int)v.State].Add(v.Block.Size);
            if (v.State == LeakState.StillReachable && v.Heuristic != LeakHeuristic.None)
                heuristics[v.Heuristic] = heuristics.GetValueOrDefault(v.Heuristic).Add(v.Block.Size);
        }
        return new LeakSummary(counts[(int)LeakState.DefinitelyLost], counts[(int)LeakState.IndirectlyLost],
            counts[(int)LeakState.PossiblyLost], counts[(int)LeakState.StillReachable], heuristics);
    }

    /// <summary>Per-block marking state; DefinitelyLost doubles as "not reached yet" while marking.</summary>
    private struct Mark
    {
        public LeakState State;
        public LeakHeuristic Heuristic;
        public ulong IndirectSize;
    }
}
