using BenchmarkDotNet.Attributes;
using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Bench;

/// <summary>
/// Loading libc's debug information as a report first needs it: the object and its separate debug
/// file (build-id), then symbols, line table (zlib-compressed .debug_line) and call-frame information;
/// and the first inlined-frame lookup, which inflates .debug_info and reads the one unit covering the address.
/// </summary>
[MemoryDiagnoser]
public class DebugInfoBenchmarks
{
    private const string Libc = "/lib/x86_64-linux-gnu/libc.so.6";

    /// <summary>An address of qsort_r's code where msort_with_tmp is inlined (msort.c:296).</summary>
    private ulong _inlinedAddress;

    [GlobalSetup]
    public void FindInlinedAddress() =>
        _inlinedAddress = new DebugObject(Libc).Lines!.Rows.First(r => r.File.EndsWith("/msort.c") && r.Line == 296).Address;

    [Benchmark]
    public int LibcSymbols() => new DebugObject(Libc).SymbolCount;

    [Benchmark]
    public int LibcSymbolsLinesAndFrames()
    {
        var libc = new DebugObject(Libc);
        return libc.SymbolCount + libc.Lines!.Rows.Count + libc.Frames.Count;
    }

    [Benchmark]
    public int LibcFirstInlinedCallsLookup() => new DebugObject(Libc).Inlines!.At(_inlinedAddress).Count;
}
