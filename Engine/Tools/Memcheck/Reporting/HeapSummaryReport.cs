using static Memcheck.Engine.Tools.Memcheck.Reporting.ValgrindNumber;

namespace Memcheck.Engine.Tools.Memcheck.Reporting;

/// <summary>The HEAP SUMMARY block as Valgrind 3.19 prints it (lines without the ==PID== prefix).</summary>
public static class HeapSummaryReport
{
    public static IReadOnlyList<string> Lines(HeapTracker heap) =>
    [
        "HEAP SUMMARY:",
        $"    in use at exit: {Format(heap.InUseBytes)} bytes in {Format(heap.InUseBlocks)} blocks",
        $"  total heap usage: {Format(heap.TotalAllocs)} allocs, {Format(heap.TotalFrees)} frees, {Format(heap.TotalBytesAllocated)} bytes allocated",
    ];

    /// <summary>Printed (after a blank line) instead of the leak check when nothing is in use at exit.</summary>
    public const string NoLeaksPossible = "All heap blocks were freed -- no leaks are possible";
}
