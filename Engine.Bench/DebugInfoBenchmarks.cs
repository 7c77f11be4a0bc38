using BenchmarkDotNet.Attributes;
using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Bench;

/// <summary>
/// Loading libc's debug information as a report first needs it: the object and its separate debug
/// file (build-id), then symbols, line table (zlib-compressed .debug_line) and call-frame information.
/// </summary>
[MemoryDiagnoser]
public class DebugInfoBenchmarks
{
    private const string Libc = "/lib/x86_64-linux-gnu/libc.so.6";

    [Benchmark]
    public int LibcSymbols() => new DebugObject(Libc).SymbolCount;

    [Benchmark]
    public int LibcSymbolsLinesAndFrames()
    {
        var libc = new DebugObject(Libc);
        return libc.SymbolCount + libc.Lines!.Rows.Count + libc.Frames.Count;
    }
}
