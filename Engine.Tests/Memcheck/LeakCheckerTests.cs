using Memcheck.Engine.Tools.Memcheck;
using Memcheck.Engine.Tools.Memcheck.Reporting;

namespace Memcheck.Engine.Tests.MemcheckTool;

/// <summary>Hand-built heaps mirroring small C programs; expected numbers are valgrind 3.19's for those programs.</summary>
public class LeakCheckerTests
{
    private const ulong Globals = 0x60_0000;
    private const ulong Heap = 0x100_0000;
    private FakeLeakMemory _memory = null!;
    private List<HeapBlock> _blocks = null!;
    private ulong _next;
    private int _stack;

    [SetUp]
    public void Create()
    {
        _memory = new FakeLeakMemory();
        _blocks = [];
        _next = Heap;
        _stack = 0;
    }

    /// <summary>A block at the next heap address (16-byte redzones, like the tracker), from a fresh allocation stack unless given.</summary>
    private HeapBlock Alloc(ulong size, int? stack = null)
    {
        _next += 16;
        var block = new HeapBlock(_next, size, 16, AllocKind.Malloc, stack ?? ++_stack, _next - 16, size + 32);
        _next = (_next + size + 16 + 15) & ~15UL;
        _blocks.Add(block);
        return block;
    }

    private LeakCheckResult Check(params ulong[] registers) => Check(new LeakCheckOptions(), registers);

    private LeakCheckResult Check(LeakCheckOptions options, params ulong[] registers) =>
        new LeakChecker(_memory, options).Check(_blocks, [new RootRange(Globals, 0x1000)], registers);

    private static string SummaryText(LeakCheckResult result) => string.Join("\n", LeakReport.SummaryLines(result.Summary));

    [Test]
    public void SeedOverwrittenAndLocalPointersAreDefinitelyLostGlobalOneReachable()
    {
        Alloc(10);
        _memory[Globals] = Alloc(100).Address;
        Alloc(50);
        LeakCheckResult result = Check();
        Assert.That(SummaryText(result), Is.EqualTo(string.Join("\n",
            "LEAK SUMMARY:",
            "   definitely lost: 60 bytes in 2 blocks",
            "   indirectly lost: 0 bytes in 0 blocks",
            "     possibly lost: 0 bytes in 0 blocks",
            "   still reachable: 100 bytes in 1 blocks",
            "        suppressed: 0 bytes in 0 blocks")));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void SeedListWithoutHeadIsOneDefiniteAndNineIndirect(bool headAtHighestAddress)
    {
        HeapBlock[] nodes = Enumerable.Range(0, 10).Select(_ => Alloc(16)).ToArray();
        if (headAtHighestAddress)
            Array.Reverse(nodes);
        for (int i = 0; i < 9; i++)
            _memory[nodes[i].Address + 8] = nodes[i + 1].Address;
        LeakSummary summary = Check().Summary;
        Assert.That(summary.DefinitelyLost, Is.EqualTo(new ByteBlockCount(16, 1)));
        Assert.That(summary.IndirectlyLost, Is.EqualTo(new ByteBlockCount(144, 9)));
    }

    [Test]
    public void SeedArrayReachedOnlyThroughItsLastElementIsPossiblyLost()
    {
        HeapBlock array = Alloc(160);
        for (ulong i = 1; i < 10; i++)
            _memory[array.Address + (i - 1) * 16 + 8] = array.Address + i * 16;
        _memory[Globals + 8] = array.Address + 9 * 16;
        LeakSummary summary = Check().Summary;
        Assert.That(summary.PossiblyLost, Is.EqualTo(new ByteBlockCount(160, 1)));
        Assert.That(summary.DefinitelyLost.Blocks + summary.StillReachable.Blocks, Is.Zero);
    }

    [Test]
    public void RingProgramGivesValgrindsLossRecordsInItsOrder()
    {
        // ring.c: a 3-ring, a 2-list, a block held by an interior pointer, three 8-byte blocks from one call site.
        HeapBlock a = Alloc(16), b = Alloc(16), c = Alloc(16);
        _memory[a.Address] = b.Address;
        _memory[b.Address] = c.Address;
        _memory[c.Address] = a.Address;
        HeapBlock x = Alloc(16), xn = Alloc(32);
        _memory[x.Address] = xn.Address;
        _memory[Globals] = Alloc(100).Address + 10;
        int site = ++_stack;
        for (int i = 0; i < 3; i++)
            Alloc(8, site);
        LeakCheckResult result = Check();
        IReadOnlyList<LossRecord> records = result.LossRecords;
        string[] headlines = records.Select((r, i) => LeakReport.LossRecordHeadline(r, null, i + 1, records.Count)).ToArray();
        Assert.That(headlines, Is.EqualTo(new[]
        {
            "16 bytes in 1 blocks are indirectly lost in loss record 1 of 7",
            "16 bytes in 1 blocks are indirectly lost in loss record 2 of 7",
            "24 bytes in 3 blocks are definitely lost in loss record 3 of 7",
            "32 bytes in 1 blocks are indirectly lost in loss record 4 of 7",
            "48 (16 direct, 32 indirect) bytes in 1 blocks are definitely lost in loss record 5 of 7",
            "48 (16 direct, 32 indirect) bytes in 1 blocks are definitely lost in loss record 6 of 7",
            "100 bytes in 1 blocks are possibly lost in loss record 7 of 7",
        }));
        Assert.That(records[4].AllocStack, Is.EqualTo(a.AllocStack), "equal records: the older stack first");
        Assert.That(result.Summary.DefinitelyLost, Is.EqualTo(new ByteBlockCount(56, 5)));
        Assert.That(result.Summary.IndirectlyLost, Is.EqualTo(new ByteBlockCount(64, 3)));
    }

    [Test]
    public void ARingReachedFromARootIsStillReachable()
    {
        HeapBlock a = Alloc(16), b = Alloc(16);
        _memory[a.Address] = b.Address;
        _memory[b.Address] = a.Address;
        _memory[Globals] = b.Address;
        Assert.That(Check().Summary.StillReachable, Is.EqualTo(new ByteBlockCount(32, 2)));
    }

    [Test]
    public void APointerLeftOnlyInARegisterKeepsItsBlockReachable()
    {
        HeapBlock held = Alloc(24);
        Assert.That(Check(held.Address).Summary.StillReachable, Is.EqualTo(new ByteBlockCount(24, 1)));
        Assert.That(Check().Summary.DefinitelyLost, Is.EqualTo(new ByteBlockCount(24, 1)));
    }

    [Test]
    public void WhatAPossiblyLostBlockPointsToIsPossiblyLostToo()
    {
        HeapBlock outer = Alloc(32), inner = Alloc(16);
        _memory[outer.Address + 8] = inner.Address;
        _memory[Globals] = outer.Address + 8;
        LeakSummary summary = Check().Summary;
        Assert.That(summary.PossiblyLost, Is.EqualTo(new ByteBlockCount(48, 2)));
    }

    [Test]
    public void APossiblyLostBlockLaterReachedByItsStartBecomesReachableWithItsChildren()
    {
        HeapBlock parent = Alloc(32), child = Alloc(16);
        _memory[parent.Address] = child.Address;
        _memory[Globals] = parent.Address + 16;
        _memory[Globals + 8] = parent.Address;
        Assert.That(Check().Summary.StillReachable, Is.EqualTo(new ByteBlockCount(48, 2)));
    }

    [Test]
    public void UndefinedOrUnalignedWordsAreNotPointers()
    {
        HeapBlock block = Alloc(16);
        _memory[Globals + 4] = block.Address;
        Assert.That(Check().Summary.DefinitelyLost, Is.EqualTo(new ByteBlockCount(16, 1)));
    }

    [Test]
    public void APointerJustPastABlockDoesNotReachItButOneIntoAZeroSizedBlockDoes()
    {
        HeapBlock sized = Alloc(16), empty = Alloc(0);
        _memory[Globals] = sized.End;
        _memory[Globals + 8] = empty.Address;
        LeakSummary summary = Check().Summary;
        Assert.That(summary.DefinitelyLost, Is.EqualTo(new ByteBlockCount(16, 1)));
        Assert.That(summary.StillReachable, Is.EqualTo(new ByteBlockCount(0, 1)));
    }

    [Test]
    public void OnlyWholeWordsInsideABlockAreScanned()
    {
        HeapBlock holder = Alloc(12), target = Alloc(16);
        _memory[holder.Address + 8] = target.Address;
        _memory[Globals] = holder.Address;
        Assert.That(Check().Summary.DefinitelyLost, Is.EqualTo(new ByteBlockCount(16, 1)));
    }

    [Test]
    public void HeuristicsProgramMatchesValgrind()
    {
        // heur.cpp: std::string-shaped, length64-shaped and new[]-shaped blocks held by interior pointers,
        // one block held 16 bytes in, one block lost outright.
        HeapBlock str = Alloc(35);
        _memory[str.Address] = 5;
        _memory[str.Address + 8] = 10;
        _memory[str.Address + 16] = 0;
        _memory[Globals] = str.Address + 24;
        HeapBlock len = Alloc(48);
        _memory[len.Address] = 40;
        _memory[Globals + 8] = len.Address + 8;
        HeapBlock arr = Alloc(56);
        _memory[arr.Address] = 3;
        _memory[Globals + 16] = arr.Address + 8;
        HeapBlock lost = Alloc(64);
        _memory[lost.Address] = 1;
        HeapBlock inner = Alloc(40);
        _memory[inner.Address] = 0;
        _memory[inner.Address + 8] = 0;
        _memory[Globals + 24] = inner.Address + 16;
        LeakCheckResult result = Check();
        Assert.That(SummaryText(result), Is.EqualTo(string.Join("\n",
            "LEAK SUMMARY:",
            "   definitely lost: 64 bytes in 1 blocks",
            "   indirectly lost: 0 bytes in 0 blocks",
            "     possibly lost: 40 bytes in 1 blocks",
            "   still reachable: 139 bytes in 3 blocks",
            "                      of which reachable via heuristic:",
            "                        stdstring          : 35 bytes in 1 blocks",
            "                        length64           : 48 bytes in 1 blocks",
            "                        newarray           : 56 bytes in 1 blocks",
            "        suppressed: 0 bytes in 0 blocks")));
    }

    [Test]
    public void WithoutHeuristicsInteriorPointersOnlyPossiblyReach()
    {
        HeapBlock len = Alloc(48);
        _memory[len.Address] = 40;
        _memory[Globals] = len.Address + 8;
        var none = new LeakCheckOptions { Heuristics = LeakHeuristics.None };
        Assert.That(Check(none).Summary.PossiblyLost, Is.EqualTo(new ByteBlockCount(48, 1)));
        var newArrayOnly = new LeakCheckOptions { Heuristics = LeakHeuristics.NewArray };
        Assert.That(Check(newArrayOnly).Blocks[0].Heuristic, Is.EqualTo(LeakHeuristic.NewArray), "length64 blocks also look like new[]");
    }

    [Test]
    public void StdStringNeedsCapacityToMatchTheBlockSize()
    {
        HeapBlock str = Alloc(36);
        _memory[str.Address] = 5;
        _memory[str.Address + 8] = 10;
        _memory[Globals] = str.Address + 24;
        Assert.That(Check().Summary.PossiblyLost, Is.EqualTo(new ByteBlockCount(36, 1)));
    }

    private const ulong Text = 0x40_0000, RoData = 0x50_0000;

    private HeapBlock TwoBaseObject(ulong secondVtable)
    {
        _memory.AddFile(new FileMapping(Text, Text + 0x1000, Readable: true, Executable: true));
        _memory.AddFile(new FileMapping(RoData, RoData + 0x1000, Readable: true, Executable: false));
        _memory[RoData + 0x100] = Text + 0x10;
        _memory[RoData + 0x108] = Text + 0x20;
        _memory[RoData + 0x200] = Text + 0x30;
        _memory[RoData + 0x208] = 0;
        _memory[RoData + 0x210] = Text + 0x40;
        _memory[RoData + 0x300] = Text + 0x50;
        _memory[RoData + 0x308] = RoData;
        HeapBlock obj = Alloc(40);
        _memory[obj.Address] = RoData + 0x100;
        _memory[obj.Address + 16] = secondVtable;
        _memory[Globals] = obj.Address + 16;
        return obj;
    }

    [Test]
    public void MultipleInheritanceReachesAnObjectThroughItsSecondBase()
    {
        TwoBaseObject(RoData + 0x200);
        LeakCheckResult result = Check();
        Assert.That(result.Blocks[0].State, Is.EqualTo(LeakState.StillReachable));
        Assert.That(result.Blocks[0].Heuristic, Is.EqualTo(LeakHeuristic.MultipleInheritance));
    }

    [Test]
    public void AVtableWithADataPointerBeforeTwoFunctionsIsNotOne()
    {
        // What valgrind does for a real g++ class whose second vtable is followed by typeinfo: possibly lost.
        TwoBaseObject(RoData + 0x300);
        Assert.That(Check().Blocks[0].State, Is.EqualTo(LeakState.PossiblyLost));
    }

    [Test]
    public void AStartPointerClearsTheHeuristicThatFirstReachedTheBlock()
    {
        HeapBlock len = Alloc(48);
        _memory[len.Address] = 40;
        _memory[Globals] = len.Address + 8;
        _memory[Globals + 8] = len.Address;
        LeakCheckResult result = Check();
        Assert.That(result.Blocks[0].Heuristic, Is.EqualTo(LeakHeuristic.None));
        Assert.That(result.Summary.ReachableViaHeuristic, Is.Empty);
    }

    [Test]
    public void LowResolutionMergesBlocksWhoseTopTwoFramesAgree()
    {
        Alloc(8, 1);
        Alloc(8, 2);
        Alloc(8, 3);
        var frames = new Dictionary<int, IReadOnlyList<ulong>> { [1] = [0x10, 0x20, 0x30], [2] = [0x10, 0x20, 0x31], [3] = [0x10, 0x21, 0x30] };
        LeakCheckResult Run(LeakResolution resolution) => new LeakChecker(_memory, new LeakCheckOptions { Resolution = resolution })
            .Check(_blocks, [], [], id => frames[id]);
        Assert.That(Run(LeakResolution.Low).LossRecords.Select(r => r.Blocks), Is.EqualTo(new[] { 1UL, 2UL }));
        Assert.That(Run(LeakResolution.Med).LossRecords, Has.Count.EqualTo(3));
        Assert.That(Run(LeakResolution.High).LossRecords, Has.Count.EqualTo(3));
    }

    [Test]
    public void ChainedCliquesInteriorPointersAndA2DArrayMatchValgrind()
    {
        // cl.c: list B, then list A whose tail points at B's head; a lost holder with an interior pointer into a
        // lost block; a lost 2-D array whose middle row is held by an interior pointer from a global.
        HeapBlock b1 = Alloc(16), b2 = Alloc(16), a1 = Alloc(16), a2 = Alloc(16);
        _memory[b1.Address] = b2.Address;
        _memory[a1.Address] = a2.Address;
        _memory[a2.Address] = b1.Address;
        HeapBlock big = Alloc(64), holder = Alloc(24);
        _memory[holder.Address] = big.Address + 20;
        HeapBlock rows = Alloc(24);
        int rowSite = ++_stack;
        HeapBlock[] row = new HeapBlock[3];
        for (int i = 0; i < 3; i++)
        {
            row[i] = Alloc(40, rowSite);
            _memory[rows.Address + 8 * (ulong)i] = row[i].Address;
        }
        _memory[Globals + 8] = row[1].Address + 4;
        LeakCheckResult result = Check();
        IReadOnlyList<LossRecord> records = result.LossRecords;
        Assert.That(records.Select((r, i) => LeakReport.LossRecordHeadline(r, null, i + 1, records.Count)), Is.EqualTo(new[]
        {
            "16 bytes in 1 blocks are indirectly lost in loss record 1 of 9",
            "16 bytes in 1 blocks are indirectly lost in loss record 2 of 9",
            "16 bytes in 1 blocks are indirectly lost in loss record 3 of 9",
            "40 bytes in 1 blocks are possibly lost in loss record 4 of 9",
            "64 bytes in 1 blocks are indirectly lost in loss record 5 of 9",
            "64 (16 direct, 48 indirect) bytes in 1 blocks are definitely lost in loss record 6 of 9",
            "80 bytes in 2 blocks are indirectly lost in loss record 7 of 9",
            "88 (24 direct, 64 indirect) bytes in 1 blocks are definitely lost in loss record 8 of 9",
            "104 (24 direct, 80 indirect) bytes in 1 blocks are definitely lost in loss record 9 of 9",
        }));
        Assert.That(records[5].AllocStack, Is.EqualTo(a1.AllocStack));
        Assert.That(result.Summary.DefinitelyLost, Is.EqualTo(new ByteBlockCount(64, 3)));
        Assert.That(result.Summary.IndirectlyLost, Is.EqualTo(new ByteBlockCount(192, 6)));
    }

    [Test]
    public void ProducerConsumerHeadlineUsesThousandsSeparators()
    {
        var record = new LossRecord(LeakState.DefinitelyLost, 1, 39_632, 0, 4_954);
        Assert.That(LeakReport.LossRecordHeadline(record, null, 1, 1), Is.EqualTo("39,632 bytes in 4,954 blocks are definitely lost in loss record 1 of 1"));
    }
}
