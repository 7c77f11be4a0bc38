namespace Memcheck.Engine;

/// <summary>Massif's options, with Valgrind 3.19's defaults.</summary>
public sealed record MassifOptions
{
    public bool Heap { get; init; } = true;
    public int HeapAdmin { get; init; } = 8;
    public bool Stacks { get; init; }
    public bool PagesAsHeap { get; init; }
    public int Depth { get; init; } = 30;
    public IReadOnlyList<string> AllocFns { get; init; } = [];
    public IReadOnlyList<string> IgnoreFns { get; init; } = [];
    public double Threshold { get; init; } = 1.0;
    public double PeakInaccuracy { get; init; } = 1.0;
    public MassifTimeUnit TimeUnit { get; init; } = MassifTimeUnit.Instructions;
    public int DetailedFreq { get; init; } = 10;
    public int MaxSnapshots { get; init; } = 100;
    /// <summary>A file name pattern, expanded like --log-file.</summary>
    public string MassifOutFile { get; init; } = "massif.out.%p";
}

public enum MassifTimeUnit { Instructions, Milliseconds, Bytes }
