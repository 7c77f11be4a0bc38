namespace Memcheck.Engine;

/// <summary>Memcheck's own options, with Valgrind 3.19's defaults.</summary>
public sealed record MemcheckOptions
{
    public LeakCheck LeakCheck { get; init; } = LeakCheck.Summary;
    public LeakResolution LeakResolution { get; init; } = LeakResolution.High;
    public LeakKinds ShowLeakKinds { get; init; } = LeakKinds.Definite | LeakKinds.Possible;
    public LeakKinds ErrorsForLeakKinds { get; init; } = LeakKinds.Definite | LeakKinds.Possible;
    public LeakHeuristics LeakCheckHeuristics { get; init; } = LeakHeuristics.All;

    public bool UndefValueErrors { get; init; } = true;
    public bool TrackOrigins { get; init; }
    public bool PartialLoadsOk { get; init; } = true;
    public ExpensiveDefinednessChecks ExpensiveDefinednessChecks { get; init; } = ExpensiveDefinednessChecks.Auto;
    public KeepStacktraces KeepStacktraces { get; init; } = KeepStacktraces.AllocAndFree;

    public long FreelistVol { get; init; } = 20_000_000;
    public long FreelistBigBlocks { get; init; } = 1_000_000;
    public byte? MallocFill { get; init; }
    public byte? FreeFill { get; init; }
    public IReadOnlyList<AddressRange> IgnoreRanges { get; init; } = [];
    public bool ShowMismatchedFrees { get; init; } = true;
}

/// <summary>--leak-check; Valgrind treats yes and full alike.</summary>
public enum LeakCheck { No, Summary, Full }

public enum LeakResolution { Low, Med, High }

[Flags]
public enum LeakKinds
{
    None = 0,
    Definite = 1,
    Indirect = 2,
    Possible = 4,
    Reachable = 8,
    All = Definite | Indirect | Possible | Reachable,
}

[Flags]
public enum LeakHeuristics
{
    None = 0,
    StdString = 1,
    Length64 = 2,
    NewArray = 4,
    MultipleInheritance = 8,
    All = StdString | Length64 | NewArray | MultipleInheritance,
}

public enum ExpensiveDefinednessChecks { No, Auto, Yes }

public enum KeepStacktraces { None, Alloc, Free, AllocAndFree, AllocThenFree }

/// <summary>A guest address range from --ignore-ranges, ends as the user gave them.</summary>
public readonly record struct AddressRange(ulong Start, ulong End);
