using Memcheck.Engine.Options;
using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.Memcheck.Reporting;

namespace Memcheck.Engine.Tools.Memcheck.Errors;

/// <summary>
/// Memcheck's error kinds as Valgrind names them outside the text report, in one table: the XML &lt;kind&gt;, the
/// suppression kind ("Addr4", "Param"), the extra line a suppression of that kind carries, and the few kinds whose
/// XML &lt;what&gt; Valgrind lays out its own way. Also the syntax of memcheck's suppression kinds.
/// </summary>
public sealed class ErrorKinds : ISuppressionKinds
{
    public static readonly ErrorKinds Instance = new();

    private ErrorKinds() { }

    private sealed record Entry(string XmlKind, Func<MemcheckError, string> SuppressionKind, string WhatLayout = ErrorReport.PlainWhat);

    private static readonly Dictionary<MemcheckErrorKind, Entry> Table = new()
    {
        [MemcheckErrorKind.InvalidRead] = new("InvalidRead", e => $"Addr{e.Size}"),
        [MemcheckErrorKind.InvalidWrite] = new("InvalidWrite", e => $"Addr{e.Size}"),
        [MemcheckErrorKind.InvalidFree] = new("InvalidFree", _ => Free),
        [MemcheckErrorKind.MismatchedFree] = new("MismatchedFree", _ => Free),
        // Valgrind's message for these two ends in a newline, inside the element.
        [MemcheckErrorKind.FishyValue] = new("FishyValue", _ => FishyValue, "  <what>{0}\n</what>"),
        [MemcheckErrorKind.Overlap] = new("Overlap", _ => "Overlap", "  <what>{0}\n</what>\n"),
        [MemcheckErrorKind.UninitialisedCondition] = new("UninitCondition", _ => "Cond"),
        [MemcheckErrorKind.UninitialisedValue] = new("UninitValue", e => $"Value{e.Size}"),
        [MemcheckErrorKind.UninitialisedSyscallParam] = new("SyscallParam", _ => Param),
        [MemcheckErrorKind.UnaddressableSyscallParam] = new("SyscallParam", _ => Param),
        [MemcheckErrorKind.UninitialisedClientCheck] = new("ClientCheck", _ => User),
        [MemcheckErrorKind.UnaddressableClientCheck] = new("ClientCheck", _ => User),
    };

    private const string Free = "Free", FishyValue = "FishyValue", Param = "Param", Leak = "Leak", User = "User";
    private const string LeakKindsPrefix = "match-leak-kinds:";

    /// <summary>Every kind a memcheck suppression may name.</summary>
    private static readonly HashSet<string> SuppressionKinds =
    [
        "Cond", "Value1", "Value2", "Value4", "Value8", "Value16", "Value32",
        "Addr1", "Addr2", "Addr4", "Addr8", "Addr16", "Addr32",
        "Jump", Param, Free, "Overlap", Leak, FishyValue, User, "CoreMem", "Mempool",
    ];

    /// <summary>"Value0" is Cond's old name, still read.</summary>
    private const string OldCondName = "Value0";

    public string ToolName => "Memcheck";

    public static string XmlKind(MemcheckErrorKind kind) => Table[kind].XmlKind;

    public static string XmlKind(LeakState state) => state switch
    {
        LeakState.DefinitelyLost => "Leak_DefinitelyLost",
        LeakState.IndirectlyLost => "Leak_IndirectlyLost",
        LeakState.PossiblyLost => "Leak_PossiblyLost",
        _ => "Leak_StillReachable",
    };

    public static string WhatLayout(MemcheckErrorKind kind) => Table[kind].WhatLayout;

    /// <summary>The suppression kind of an error, and the extra line it is matched by and generated with.</summary>
    public static (string Kind, string? Extra) SuppressionOf(MemcheckError error) =>
        (Table[error.Kind].SuppressionKind(error), error.Parameter);

    /// <summary>A loss record's suppression: kind Leak, its leak kind as the extra line.</summary>
    public static (string Kind, string Extra) SuppressionOf(LeakState state) =>
        (Leak, $"{LeakKindsPrefix} {OptionTable.LeakKindWords.Single(w => w.Value == LeakReport.KindOf(state)).Key}");

    /// <summary>Whether a suppression's extra line accepts an error's: the same text (Param, FishyValue), or any.</summary>
    public static bool ExtraMatches(string? suppressionExtra, string? errorExtra) =>
        errorExtra is null || suppressionExtra == errorExtra;

    /// <summary>Whether a Leak suppression's match-leak-kinds (all kinds without one) takes a loss record's state.</summary>
    public static bool LeakKindsMatch(string? suppressionExtra, LeakState state) =>
        ((suppressionExtra is null ? LeakKinds.All : ParseLeakKinds(suppressionExtra)!.Value) & LeakReport.KindOf(state)) != 0;

    public string? KindNamed(string name) => name == OldCondName ? "Cond" : SuppressionKinds.Contains(name) ? name : null;

    /// <summary>
    /// Param takes any line (the syscall parameter), FishyValue a "function(argument)" line. Leak's is optional: a
    /// fun:, obj: or "..." line is its first location, anything else must be a valid match-leak-kinds line.
    /// </summary>
    public ExtraLine ReadExtra(string kind, string? line) => kind switch
    {
        Param => line is null ? ExtraLine.Bad : ExtraLine.Taken,
        FishyValue => line is not null && line.IndexOf('(') is >= 0 and var open && line.IndexOf(')', open) > open
            ? ExtraLine.Taken : ExtraLine.Bad,
        Leak when line is not null && (line == "..." || line.StartsWith("fun:") || line.StartsWith("obj:")) => ExtraLine.Left,
        Leak => line is not null && ParseLeakKinds(line) is not null ? ExtraLine.Taken : ExtraLine.Bad,
        _ => ExtraLine.Left,
    };

    /// <summary>The kinds of a "match-leak-kinds: definite,possible" line; null when it is not one.</summary>
    private static LeakKinds? ParseLeakKinds(string line) =>
        line.StartsWith(LeakKindsPrefix, StringComparison.Ordinal)
        && OptionValue.TrySet(line[LeakKindsPrefix.Length..].Trim(), OptionTable.LeakKindWords, LeakKinds.All, LeakKinds.None, out LeakKinds kinds)
            ? kinds : null;
}
