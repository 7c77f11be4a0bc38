using Memcheck.Engine.Tools.Massif;

namespace Memcheck.Engine.Tests.MassifTool;

/// <summary>massif.out's header and snapshot blocks, as Valgrind 3.19's massif writes them.</summary>
public class MassifOutFileTests
{
    [Test]
    public void HeaderAndSnapshotsAreWrittenAsValgrindWritesThem()
    {
        var report = new MassifReport("./prog arg", ["--time-unit=B", "--heap-admin=4"], MassifTimeUnit.Bytes,
        [
            new MassifSnapshot(0, 0, 0, 0, 0, SnapshotKind.Normal, null),
            new MassifSnapshot(1, 1016, 1000, 16, 8, SnapshotKind.Peak, new AllocationFunctionsEntry(1000, false, [])),
        ], null);
        var text = new StringWriter();
        MassifOutFile.Write(text, report, 1.0);
        Assert.That(text.ToString(), Is.EqualTo("""
            desc: --time-unit=B --heap-admin=4
            cmd: ./prog arg
            time_unit: B
            #-----------
            snapshot=0
            #-----------
            time=0
            mem_heap_B=0
            mem_heap_extra_B=0
            mem_stacks_B=0
            heap_tree=empty
            #-----------
            snapshot=1
            #-----------
            time=1016
            mem_heap_B=1000
            mem_heap_extra_B=16
            mem_stacks_B=8
            heap_tree=peak
            n0: 1000 (heap allocation functions) malloc/new/new[], --alloc-fns, etc.

            """.ReplaceLineEndings("\n")));
    }

    [Test]
    public void NoToolOptionsIsNone()
    {
        var text = new StringWriter();
        MassifOutFile.Write(text, new MassifReport("prog", [], MassifTimeUnit.Instructions, [], null), 1.0);
        Assert.That(text.ToString(), Is.EqualTo("desc: (none)\ncmd: prog\ntime_unit: i\n"));
    }
}
