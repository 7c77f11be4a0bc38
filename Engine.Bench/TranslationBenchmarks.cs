using BenchmarkDotNet.Attributes;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;

namespace Memcheck.Engine.Bench;

/// <summary>
/// Translation throughput on real code: one superblock from each function of libc, through each stage
/// of the pipeline in turn. Divide the time by <see cref="GuestInstructions"/> (printed at setup) for
/// the cost per guest instruction.
/// </summary>
[MemoryDiagnoser]
public unsafe class TranslationBenchmarks
{
    private const string Libc = "/lib/x86_64-linux-gnu/libc.so.6";
    private const int Blocks = 2000;

    private ulong[] _starts = [];
    private Lifter _lifter = null!;
    private Superblock[] _lifted = [];
    private PageMap _pages = null!;
    private CodeCache _cache = null!;
    private BackendContext _backend = null!;

    public int GuestInstructions { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = new TextSection(Libc);
        _starts = [.. text.FunctionStarts.Take(Blocks)];
        _lifter = new Lifter(text);
        _lifted = [.. _starts.Select(_lifter.Lift)];
        GuestInstructions = _lifted.Sum(sb => sb.InstructionCount);
        Console.WriteLine($"// {_starts.Length} blocks, {GuestInstructions} guest instructions from {Libc}");
        _pages = new PageMap();
        _cache = new CodeCache();
        _backend = new BackendContext(_pages.Level1, _cache);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cache.Dispose();
        _pages.Dispose();
    }

    [Benchmark]
    public int Lift()
    {
        int n = 0;
        foreach (var start in _starts) n += _lifter.Lift(start).InstructionCount;
        return n;
    }

    [Benchmark]
    public long Compile()
    {
        _cache.Flush();
        long bytes = 0;
        var compiler = new BlockCompiler();
        foreach (var sb in _lifted) bytes += compiler.Compile(sb, _backend).HostSize;
        return bytes;
    }
}
