namespace Memcheck.Engine.Tests.Seeds;

/// <summary>
/// One example of the seed document (../shared/seeds): the golden case that runs it and the lines its
/// report must hold, without the "==PID== " prefix: LEAK SUMMARY lines, and the frames of its loss record.
/// </summary>
public sealed record SeedExample(string CaseName, string[] LeakSummary, string[] Frames)
{
    public static readonly IReadOnlyList<SeedExample> All =
    [
        new("i5-seed-definitely-and-reachable",
            [
                "   definitely lost: 60 bytes in 2 blocks",
                "   indirectly lost: 0 bytes in 0 blocks",
                "     possibly lost: 0 bytes in 0 blocks",
                "   still reachable: 100 bytes in 1 blocks",
                "        suppressed: 0 bytes in 0 blocks",
            ], []),
        new("i5-seed-indirectly-lost",
            [
                "   definitely lost: 16 bytes in 1 blocks",
                "   indirectly lost: 144 bytes in 9 blocks",
                "     possibly lost: 0 bytes in 0 blocks",
                "   still reachable: 0 bytes in 0 blocks",
                "        suppressed: 0 bytes in 0 blocks",
            ], []),
        new("i5-seed-possibly-lost",
            [
                "   definitely lost: 0 bytes in 0 blocks",
                "   indirectly lost: 0 bytes in 0 blocks",
                "     possibly lost: 160 bytes in 1 blocks",
                "   still reachable: 0 bytes in 0 blocks",
                "        suppressed: 0 bytes in 0 blocks",
            ], []),
        new("i5-seed-producer-consumer",
            [
                "   definitely lost: 39,632 bytes in 4,954 blocks",
                "   indirectly lost: 0 bytes in 0 blocks",
                "     possibly lost: 0 bytes in 0 blocks",
                "   still reachable: 0 bytes in 0 blocks",
                "        suppressed: 0 bytes in 0 blocks",
            ], ["operator new(unsigned long)", "Producer::produce()"]),
        // The seed's other Python numbers are for its Python 3.10; only the C library's leak is the seed's.
        new("i5-seed-python-alloc-only", ["   definitely lost: 32 bytes in 4 blocks"], ["do_alloc (alloc_only.c:6)"]),
        // The seed ran unseeded; the fixture seeds Python's random so that it leaks what the seed's run leaked.
        new("i5-seed-python-alloc-free", ["   definitely lost: 1,600 bytes in 50 blocks"], ["do_alloc (alloc_free.c:4)"]),
    ];

    public override string ToString() => CaseName;
}
