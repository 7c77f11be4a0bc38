namespace Memcheck.Engine.Tests.Golden;

/// <summary>How much of a report a case compares with Valgrind's.</summary>
public enum GoldenComparison
{
    /// <summary>Every line, after normalisation.</summary>
    Whole,

    /// <summary>
    /// Only what the issues ask of every case: each error's headline and frames, HEAP SUMMARY, LEAK SUMMARY and
    /// ERROR SUMMARY; loss records without their "in loss record N of M" numbering. For reports whose other lines
    /// depend on more than the program under test (the Python cases' interpreter heap).
    /// </summary>
    Summaries,
}

/// <summary>A known difference from Valgrind's report: in the leak results themselves, or only elsewhere in the report.</summary>
public sealed record KnownDifference(bool InLeakResults, string Why);

/// <summary>One line of cases.txt: a fixture, how it is built and run, and Valgrind's recorded report.</summary>
public sealed record GoldenCase(string Name, string Source, string[] CompilerFlags, string[] ToolOptions, int ExitStatus)
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Golden");

    public string ValgrindReportPath => Path.Combine(Directory, Name + ".valgrind");

    /// <summary>The issue a case was written for (5 or 6, from its "i5-"/"i6-" prefix); null for the core's none cases.</summary>
    public int? Issue => Name.StartsWith("i5-") ? 5 : Name.StartsWith("i6-") ? 6 : null;

    /// <summary>Memcheck (the default tool) rather than --tool=none; its reports' addresses are normalised away.</summary>
    public bool IsMemcheck => !ToolOptions.Any(o => o.StartsWith("--tool=") && o != "--tool=memcheck");

    /// <summary>A Python script run by /usr/bin/python3 over libNAME.so built from NAME.c (see cases.txt).</summary>
    public bool IsPython => Source.EndsWith(".py");

    /// <summary>A Perl script /usr/bin/perl reads from stdin, run in / (see cases.txt).</summary>
    public bool IsPerl => Source.EndsWith(".pl");

    public GoldenComparison Comparison => IsPython || IsPerl ? GoldenComparison.Summaries : GoldenComparison.Whole;

    /// <summary>The whole environment every case runs in, under valgrind and under memcheck (environment.txt).</summary>
    public static IReadOnlyDictionary<string, string> Environment { get; } =
        (from line in File.ReadAllLines(Path.Combine(Directory, "environment.txt"))
         where line.Trim().Length > 0 && !line.StartsWith('#')
         let parts = line.Split('=', 2)
         select (Name: parts[0], Value: parts[1])).ToDictionary(v => v.Name, v => v.Value);

    public static IEnumerable<GoldenCase> All() =>
        from line in File.ReadAllLines(Path.Combine(Directory, "cases.txt"))
        where line.Trim().Length > 0 && !line.TrimStart().StartsWith('#')
        let f = line.Split('|').Select(s => s.Trim()).ToArray()
        select new GoldenCase(f[0], f[1], Words(f[2]), Words(f[3]), int.Parse(f[4]));

    /// <summary>
    /// Why our report is known to differ from Valgrind's for this case (known-differences.txt), or null. Such a
    /// case is reported as ignored with the reason, so the list of what is not yet exact stays visible.
    /// </summary>
    public KnownDifference? KnownDifference =>
        (from line in File.ReadAllLines(Path.Combine(Directory, "known-differences.txt"))
         where line.Trim().Length > 0 && !line.TrimStart().StartsWith('#')
         let f = line.Split('|', 3).Select(s => s.Trim()).ToArray()
         where f[0] == Name
         select new KnownDifference(f[1] == "leaks", f[2])).SingleOrDefault();

    public static GoldenCase Named(string name) => All().Single(c => c.Name == name);

    private static string[] Words(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => Name;
}
