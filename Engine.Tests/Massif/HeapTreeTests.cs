using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tools.Massif;

namespace Memcheck.Engine.Tests.MassifTool;

/// <summary>The heap tree a detailed snapshot records and how massif.out writes it, as Valgrind 3.19 writes it.</summary>
public class HeapTreeTests
{
    private HeapTree _tree = null!;

    [SetUp]
    public void Create() => _tree = new HeapTree(pages: false);

    private HeapTreeNode Site(params (ulong Address, string Function, int Line)[] stack)
    {
        HeapTreeNode node = _tree.Root;
        foreach (var (address, function, line) in stack)
            node = node.Child(address, [new StackFrame(address, function, "/src/prog.c", line, "/bin/prog")]);
        return node;
    }

    private static string Written(HeapTreeEntry tree, double threshold = 1.0)
    {
        var report = new MassifReport("prog", [], MassifTimeUnit.Bytes,
            [new MassifSnapshot(0, 0, tree.Bytes, 0, 0, SnapshotKind.Detailed, tree)], null);
        var text = new StringWriter();
        MassifOutFile.Write(text, report, threshold);
        return string.Concat(text.ToString().Split('\n').SkipWhile(l => !l.StartsWith("heap_tree=")).Skip(1).Select(l => l + "\n")).TrimEnd('\n');
    }

    [Test]
    public void EntriesGoBiggestFirstAndEqualOnesByAddress()
    {
        _tree.Add(Site((0x30, "c", 3), (0x90, "main", 9)), 100);
        _tree.Add(Site((0x10, "a", 1), (0x90, "main", 9)), 100);
        _tree.Add(Site((0x20, "b", 2), (0x90, "main", 9)), 500);
        Assert.That(Written(_tree.Snapshot(700, 1.0)), Is.EqualTo("""
            n3: 700 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
             n1: 500 0x20: b (prog.c:2)
              n0: 500 0x90: main (prog.c:9)
             n1: 100 0x10: a (prog.c:1)
              n0: 100 0x90: main (prog.c:9)
             n1: 100 0x30: c (prog.c:3)
              n0: 100 0x90: main (prog.c:9)
            """));
    }

    [Test]
    public void LocationsUnderTheThresholdAreFoldedAtEachLevel()
    {
        _tree.Add(Site((0x10, "a", 1), (0x90, "main", 9)), 9900);
        _tree.Add(Site((0x10, "a", 1), (0x91, "main", 10)), 50);
        _tree.Add(Site((0x20, "b", 2)), 40);
        _tree.Add(Site((0x30, "c", 3)), 10);
        // Valgrind's threshold is whole bytes of the snapshot's total (here 100.5, so 100), rounded down.
        Assert.That(Written(_tree.Snapshot(10050, 1.0)), Is.EqualTo("""
            n2: 10000 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
             n2: 9950 0x10: a (prog.c:1)
              n0: 9900 0x90: main (prog.c:9)
              n0: 50 in 1 place, below massif's threshold (1.00%)
             n0: 50 in 2 places, all below massif's threshold (1.00%)
            """));
    }

    [Test]
    public void AnEmptySnapshotHasNothingSignificantUnlessTheThresholdIsZero()
    {
        var site = Site((0x10, "a", 1));
        _tree.Add(site, 16);
        _tree.Remove(site, 16);
        Assert.That(Written(_tree.Snapshot(0, 1.0)), Is.EqualTo("""
            n1: 0 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
             n0: 0 in 1 place, below massif's threshold (1.00%)
            """));
        Assert.That(Written(_tree.Snapshot(0, 0), threshold: 0), Is.EqualTo("""
            n1: 0 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
             n0: 0 0x10: a (prog.c:1)
            """));
    }

    [Test]
    public void AnAddressInInlinedCodeIsAChainOfEntries()
    {
        var frames = new[]
        {
            new StackFrame(0x40, "__mmap64", "/src/mmap64.c", 58, "/lib/libc.so.6"),
            new StackFrame(0x40, "mmap", "/src/mmap64.c", 46, "/lib/libc.so.6"),
        };
        var site = _tree.Root.Child(0x40, frames).Child(0x90, [new StackFrame(0x90, "main", "/src/prog.c", 9, "/bin/prog")]);
        _tree.Add(site, 4096);
        Assert.That(Written(_tree.Snapshot(4096, 1.0)), Is.EqualTo("""
            n1: 4096 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.
             n1: 4096 0x40: __mmap64 (mmap64.c:58)
              n1: 4096 0x40: mmap (mmap64.c:46)
               n0: 4096 0x90: main (prog.c:9)
            """));
    }

    [Test]
    public void TheThresholdIsWrittenWithTwoDecimals() =>
        Assert.That(Written(new AllocationFunctionsEntry(10, true, [new BelowThresholdEntry(10, 3)]), threshold: 12.345), Is.EqualTo("""
            n1: 10 (page allocation syscalls) mmap/mremap/brk, --alloc-fns, etc.
             n0: 10 in 3 places, all below massif's threshold (12.35%)
            """));
}
