namespace Memcheck.Engine.Options;

/// <summary>Which tools accept an option (Valgrind rejects a tool's option under another tool).</summary>
[Flags]
internal enum ToolSet
{
    Memcheck = 1,
    None = 2,
    Massif = 4,
    All = Memcheck | None | Massif,
    /// <summary>Tools that replace malloc.</summary>
    Heap = Memcheck | Massif,
}

/// <summary>One "--name=value" option: the tools that know it and how its value changes the options.</summary>
internal sealed record ValueOption(string Name, ToolSet Tools, Func<SessionOptions, string, SessionOptions> Apply);

/// <summary>Valgrind 3.19's "--name=value" options for memcheck, none and massif: names, ranges, words.</summary>
internal static class OptionTable
{
    private static readonly Dictionary<string, GenSuppressions> GenSuppressionsWords = new()
    {
        ["no"] = GenSuppressions.No, ["yes"] = GenSuppressions.Yes, ["all"] = GenSuppressions.All,
    };

    private static readonly Dictionary<string, SmcCheck> SmcCheckWords = new()
    {
        ["none"] = SmcCheck.None, ["stack"] = SmcCheck.Stack, ["all"] = SmcCheck.All, ["all-non-file"] = SmcCheck.AllNonFile,
    };

    private static readonly Dictionary<string, LeakCheck> LeakCheckWords = new()
    {
        ["no"] = LeakCheck.No, ["summary"] = LeakCheck.Summary, ["yes"] = LeakCheck.Full, ["full"] = LeakCheck.Full,
    };

    private static readonly Dictionary<string, LeakResolution> LeakResolutionWords = new()
    {
        ["low"] = LeakResolution.Low, ["med"] = LeakResolution.Med, ["high"] = LeakResolution.High,
    };

    /// <summary>The leak kind words of --show-leak-kinds, --errors-for-leak-kinds and suppressions' match-leak-kinds.</summary>
    internal static readonly IReadOnlyDictionary<string, LeakKinds> LeakKindWords = new Dictionary<string, LeakKinds>
    {
        ["definite"] = LeakKinds.Definite, ["indirect"] = LeakKinds.Indirect,
        ["possible"] = LeakKinds.Possible, ["reachable"] = LeakKinds.Reachable,
    };

    private static readonly Dictionary<string, LeakHeuristics> HeuristicWords = new()
    {
        ["stdstring"] = LeakHeuristics.StdString, ["length64"] = LeakHeuristics.Length64,
        ["newarray"] = LeakHeuristics.NewArray, ["multipleinheritance"] = LeakHeuristics.MultipleInheritance,
    };

    private static readonly Dictionary<string, ExpensiveDefinednessChecks> ExpensiveWords = new()
    {
        ["no"] = ExpensiveDefinednessChecks.No, ["auto"] = ExpensiveDefinednessChecks.Auto,
        ["yes"] = ExpensiveDefinednessChecks.Yes,
    };

    private static readonly Dictionary<string, KeepStacktraces> KeepStacktracesWords = new()
    {
        ["none"] = KeepStacktraces.None, ["alloc"] = KeepStacktraces.Alloc, ["free"] = KeepStacktraces.Free,
        ["alloc-and-free"] = KeepStacktraces.AllocAndFree, ["alloc-then-free"] = KeepStacktraces.AllocThenFree,
    };

    private static readonly Dictionary<string, MassifTimeUnit> TimeUnitWords = new()
    {
        ["i"] = MassifTimeUnit.Instructions, ["ms"] = MassifTimeUnit.Milliseconds, ["B"] = MassifTimeUnit.Bytes,
    };

    private static readonly Dictionary<string, ExecutionBackend> BackendWords = new()
    {
        ["jit"] = ExecutionBackend.Jit, ["interpreter"] = ExecutionBackend.Interpreter,
    };

    private const long FreelistMax = 10_000_000_000;

    public static readonly IReadOnlyDictionary<string, ValueOption> Options = new ValueOption[]
    {
        // Core options, every tool.
        new("--log-file", ToolSet.All, (o, v) => o with { LogFile = FileNamePattern("--log-file", v) }),
        new("--log-fd", ToolSet.All, (o, v) => o with { LogFd = (int)OptionValue.Int("--log-fd", v, int.MinValue, int.MaxValue) }),
        new("--xml", ToolSet.All, (o, v) => o with { Xml = OptionValue.Bool(v) }),
        new("--xml-file", ToolSet.All, (o, v) => o with { XmlFile = FileNamePattern("--xml-file", v) }),
        new("--xml-fd", ToolSet.All, (o, v) => o with { XmlFd = (int)OptionValue.Int("--xml-fd", v, int.MinValue, int.MaxValue) }),
        new("--xml-socket", ToolSet.All, (o, v) => o with { XmlSocket = v }),
        new("--xml-user-comment", ToolSet.All, (o, v) => o with { XmlUserComment = v }),
        // This engine's own: run translations in the reference IR interpreter instead of compiled code.
        new("--backend", ToolSet.All, (o, v) => o with { Backend = OptionValue.Choice(v, BackendWords) }),
        new("--num-callers", ToolSet.All, (o, v) => o with { NumCallers = (int)OptionValue.Int("--num-callers", v, 1, 500) }),
        new("--error-limit", ToolSet.All, (o, v) => o with { ErrorLimit = OptionValue.Bool(v) }),
        new("--error-exitcode", ToolSet.All, (o, v) => o with { ErrorExitCode = (int)OptionValue.Int("--error-exitcode", v, int.MinValue, int.MaxValue) }),
        new("--exit-on-first-error", ToolSet.All, (o, v) => o with { ExitOnFirstError = OptionValue.Bool(v) }),
        new("--show-error-list", ToolSet.All, (o, v) => o with { ShowErrorList = OptionValue.Bool(v) }),
        new("--trace-children", ToolSet.All, (o, v) => o with { TraceChildren = OptionValue.Bool(v) }),
        new("--child-silent-after-fork", ToolSet.All, (o, v) => o with { ChildSilentAfterFork = OptionValue.Bool(v) }),
        new("--track-fds", ToolSet.All, (o, v) => o with { TrackFds = TrackFdsValue(v) }),
        new("--time-stamp", ToolSet.All, (o, v) => o with { TimeStamp = OptionValue.Bool(v) }),
        new("--default-suppressions", ToolSet.All, (o, v) => o with { DefaultSuppressions = OptionValue.Bool(v) }),
        new("--suppressions", ToolSet.All, (o, v) => o with { Suppressions = [.. o.Suppressions, v] }),
        new("--gen-suppressions", ToolSet.All, (o, v) => o with { GenSuppressions = OptionValue.Choice(v, GenSuppressionsWords) }),
        new("--input-fd", ToolSet.All, (o, v) => o with { InputFd = (int)OptionValue.Int("--input-fd", v, int.MinValue, int.MaxValue) }),
        new("--demangle", ToolSet.All, (o, v) => o with { Demangle = OptionValue.Bool(v) }),
        new("--show-below-main", ToolSet.All, (o, v) => o with { ShowBelowMain = OptionValue.Bool(v) }),
        new("--max-stackframe", ToolSet.All, (o, v) => o with { MaxStackFrame = OptionValue.Int(v) }),
        new("--main-stacksize", ToolSet.All, (o, v) => o with { MainStackSize = OptionValue.Int(v) }),
        new("--smc-check", ToolSet.All, (o, v) => o with { SmcCheck = OptionValue.Choice(v, SmcCheckWords) }),
        new("--read-var-info", ToolSet.All, (o, v) => o with { ReadVarInfo = OptionValue.Bool(v) }),
        new("--read-inline-info", ToolSet.All, (o, v) => o with { ReadInlineInfo = OptionValue.Bool(v) }),
        new("--run-libc-freeres", ToolSet.All, (o, v) => o with { RunLibcFreeres = OptionValue.Bool(v) }),
        new("--run-cxx-freeres", ToolSet.All, (o, v) => o with { RunCxxFreeres = OptionValue.Bool(v) }),
        new("--redzone-size", ToolSet.All, (o, v) => o with { RedzoneSize = (int)OptionValue.Int("--redzone-size", v, 0, 4096) }),
        new("--stats", ToolSet.All, (o, v) => o with { Stats = OptionValue.Bool(v) }),
        new("--trace-flags", ToolSet.All, (o, v) => o with { TraceFlags = TraceFlagsValue(v) }),
        new("--trace-notbelow", ToolSet.All, (o, v) => o with { TraceNotBelow = OptionValue.Int("--trace-notbelow", v, 0, long.MaxValue) }),
        new("--alignment", ToolSet.Heap, (o, v) => o with { Alignment = AlignmentValue(v) }),

        // Memcheck.
        Memcheck("--leak-check", (m, v) => m with { LeakCheck = OptionValue.Choice(v, LeakCheckWords) }),
        Memcheck("--leak-resolution", (m, v) => m with { LeakResolution = OptionValue.Choice(v, LeakResolutionWords) }),
        Memcheck("--show-leak-kinds", (m, v) => m with { ShowLeakKinds = LeakKindSet("show-leak-kinds", v) }),
        Memcheck("--errors-for-leak-kinds", (m, v) => m with { ErrorsForLeakKinds = LeakKindSet("errors-for-leak-kinds", v) }),
        Memcheck("--leak-check-heuristics", (m, v) => m with
        {
            LeakCheckHeuristics = OptionValue.Set(v, "leak-check-heuristics", HeuristicWords, LeakHeuristics.All, LeakHeuristics.None),
        }),
        // The two old spellings adjust the kinds set rather than replace it.
        Memcheck("--show-reachable", (m, v) => m with
        {
            ShowLeakKinds = OptionValue.Bool(v) ? LeakKinds.All : m.ShowLeakKinds & ~LeakKinds.Reachable,
        }),
        Memcheck("--show-possibly-lost", (m, v) => m with
        {
            ShowLeakKinds = OptionValue.Bool(v) ? m.ShowLeakKinds | LeakKinds.Possible : m.ShowLeakKinds & ~LeakKinds.Possible,
        }),
        Memcheck("--undef-value-errors", (m, v) => m with { UndefValueErrors = OptionValue.Bool(v) }),
        Memcheck("--track-origins", (m, v) => m with { TrackOrigins = OptionValue.Bool(v) }),
        Memcheck("--partial-loads-ok", (m, v) => m with { PartialLoadsOk = OptionValue.Bool(v) }),
        Memcheck("--expensive-definedness-checks", (m, v) => m with { ExpensiveDefinednessChecks = OptionValue.Choice(v, ExpensiveWords) }),
        Memcheck("--keep-stacktraces", (m, v) => m with { KeepStacktraces = OptionValue.Choice(v, KeepStacktracesWords) }),
        Memcheck("--freelist-vol", (m, v) => m with { FreelistVol = OptionValue.Int("--freelist-vol", v, 0, FreelistMax) }),
        Memcheck("--freelist-big-blocks", (m, v) => m with { FreelistBigBlocks = OptionValue.Int("--freelist-big-blocks", v, 0, FreelistMax) }),
        Memcheck("--malloc-fill", (m, v) => m with { MallocFill = (byte)OptionValue.Hex("--malloc-fill", v, 0, 255) }),
        Memcheck("--free-fill", (m, v) => m with { FreeFill = (byte)OptionValue.Hex("--free-fill", v, 0, 255) }),
        Memcheck("--ignore-ranges", (m, v) => m with { IgnoreRanges = IgnoreRangesValue(v) }),
        Memcheck("--show-mismatched-frees", (m, v) => m with { ShowMismatchedFrees = OptionValue.Bool(v) }),

        // Massif.
        Massif("--heap", (m, v) => m with { Heap = OptionValue.Bool(v) }),
        Massif("--heap-admin", (m, v) => m with { HeapAdmin = (int)OptionValue.Int("--heap-admin", v, 0, 1024) }),
        Massif("--stacks", (m, v) => m with { Stacks = OptionValue.Bool(v) }),
        Massif("--pages-as-heap", (m, v) => m with { PagesAsHeap = OptionValue.Bool(v) }),
        Massif("--depth", (m, v) => m with { Depth = (int)OptionValue.Int("--depth", v, 1, 200) }),
        Massif("--alloc-fn", (m, v) => m with { AllocFns = [.. m.AllocFns, v] }),
        Massif("--ignore-fn", (m, v) => m with { IgnoreFns = [.. m.IgnoreFns, v] }),
        Massif("--threshold", (m, v) => m with { Threshold = Percentage("--threshold", v) }),
        Massif("--peak-inaccuracy", (m, v) => m with { PeakInaccuracy = OptionValue.Double(v) }),
        Massif("--time-unit", (m, v) => m with { TimeUnit = OptionValue.Choice(v, TimeUnitWords) }),
        Massif("--detailed-freq", (m, v) => m with { DetailedFreq = (int)OptionValue.Int("--detailed-freq", v, 1, 1_000_000) }),
        Massif("--max-snapshots", (m, v) => m with { MaxSnapshots = (int)OptionValue.Int("--max-snapshots", v, 10, 1000) }),
        Massif("--massif-out-file", (m, v) => m with { MassifOutFile = FileNamePattern("--massif-out-file", v) }),
    }.ToDictionary(option => option.Name);

    private static ValueOption Memcheck(string name, Func<MemcheckOptions, string, MemcheckOptions> apply) =>
        new(name, ToolSet.Memcheck, (o, v) => o with { Memcheck = apply(o.Memcheck, v) });

    private static ValueOption Massif(string name, Func<MassifOptions, string, MassifOptions> apply) =>
        new(name, ToolSet.Massif, (o, v) => o with { Massif = apply(o.Massif, v) });

    private static string FileNamePattern(string name, string value)
    {
        if (value.Length == 0) throw new OptionValueException("No filename given");
        try
        {
            OutputFileName.Expand(value, Environment.ProcessId);
        }
        catch (FormatException malformed)
        {
            throw new OptionValueException(malformed.Message);
        }
        return value;
    }

    private static TrackFds TrackFdsValue(string value) => value switch
    {
        "no" => TrackFds.No,
        "yes" => TrackFds.Yes,
        "all" => TrackFds.All,
        _ => throw new OptionValueException("Bad argument, should be 'yes', 'all' or 'no'"),
    };

    /// <summary>Eight binary digits, as Valgrind's --trace-flags takes them.</summary>
    private static int TraceFlagsValue(string value) =>
        value.Length == 8 && value.All(c => c is '0' or '1')
            ? Convert.ToInt32(value, 2)
            : throw new OptionValueException("--trace-flags argument must have 8 digits");

    private static int AlignmentValue(string value)
    {
        long alignment = OptionValue.Int(value);
        if (alignment < 16 || alignment > 4096 || (alignment & (alignment - 1)) != 0)
            throw new OptionValueException("Alignment must be a power of 2 in the range 16..4096.");
        return (int)alignment;
    }

    private static LeakKinds LeakKindSet(string setName, string value) =>
        OptionValue.Set(value, setName, LeakKindWords, LeakKinds.All, LeakKinds.None);

    private static double Percentage(string name, string value)
    {
        double percent = OptionValue.Double(value);
        return percent is >= 0 and <= 100 ? percent : throw new OptionValueException($"{name} must be between 0.0 and 100.0");
    }

    /// <summary>0xPP-0xQQ[,0xRR-0xSS...]: hexadecimal with the 0x prefix, each end above its start.</summary>
    private static IReadOnlyList<AddressRange> IgnoreRangesValue(string value)
    {
        var ranges = new List<AddressRange>();
        foreach (string range in value.Split(','))
        {
            string[] ends = range.Split('-');
            if (ends.Length != 2 || !TryHexAddress(ends[0], out ulong start) || !TryHexAddress(ends[1], out ulong end) || end <= start)
                throw new OptionValueException("--ignore-ranges: invalid syntax, or end <= start in range");
            ranges.Add(new AddressRange(start, end));
        }
        return ranges;
    }

    private static bool TryHexAddress(string text, out ulong address)
    {
        address = 0;
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && text.Length > 2
            && ulong.TryParse(text.AsSpan(2), System.Globalization.NumberStyles.AllowHexSpecifier,
                System.Globalization.CultureInfo.InvariantCulture, out address);
    }
}
