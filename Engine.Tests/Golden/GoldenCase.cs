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

    /// <summary>
    /// With -v, only the suppression files read, the used suppressions and the ERROR SUMMARY lines: Valgrind's -v
    /// also prints its own machinery (options, redirections, gdbserver), which this engine has none of.
    /// </summary>
    Suppressions,
}

/// <summary>A known difference from Valgrind's report: in the leak results themselves, or only elsewhere in the report.</summary>
public sealed record KnownDifference(bool InLeakResults, string Why);

/// <summary>
/// One line of cases.txt: a fixture, how it is built and run (options, standard input), and Valgrind's recorded
/// report, with its XML output for the cases that write one.
/// </summary>
public sealed record GoldenCase(string Name, string Source, string[] CompilerFlags, string[] ToolOptions, int ExitStatus, string? Stdin = null)
{
    /// <summary>What {fixtures} and {xml} in a case's options stand for.</summary>
    public const string FixturesPlaceholder = "{fixtures}", XmlPlaceholder = "{xml}";

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Golden");

    public string ValgrindReportPath => Path.Combine(Directory, Name + ".valgrind");

    public string ValgrindXmlPath => Path.Combine(Directory, Name + ".xml");

    /// <summary>Whether the case writes XML (--xml-file={xml}), compared besides the text report.</summary>
    public bool WritesXml => ToolOptions.Any(o => o.Contains(XmlPlaceholder));

    /// <summary>The options with the fixtures folder and the XML file in place of their placeholders.</summary>
    public string[] Options(string fixtures, string xmlFile) =>
        [.. ToolOptions.Select(o => o.Replace(FixturesPlaceholder, fixtures).Replace(XmlPlaceholder, xmlFile))];

    /// <summary>The test category of a case: the issue it was written for ("i5-", "i6-"), or the reporting features.</summary>
    public string? Category =>
        Name.StartsWith("i5-") ? "Issue5" : Name.StartsWith("i6-") ? "Issue6"
        : Name.StartsWith("supp-") || Name.StartsWith("gensupp-") || Name.StartsWith("xml-") ? "Reporting" : null;

    /// <summary>Memcheck (the default tool) rather than --tool=none; its reports' addresses are normalised away.</summary>
    public bool IsMemcheck => !ToolOptions.Any(o => o.StartsWith("--tool=") && o != "--tool=memcheck");

    /// <summary>A Python script run by /usr/bin/python3 over libNAME.so built from NAME.c (see cases.txt).</summary>
    public bool IsPython => Source.EndsWith(".py");

    /// <summary>A Perl script /usr/bin/perl reads from stdin, run in / (see cases.txt).</summary>
    public bool IsPerl => Source.EndsWith(".pl");

    public GoldenComparison Comparison =>
        IsPython || IsPerl ? GoldenComparison.Summaries
        : ToolOptions.Contains("-v") ? GoldenComparison.Suppressions : GoldenComparison.Whole;

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
        select new GoldenCase(f[0], f[1], Words(f[2]), Words(f[3]), int.Parse(f[4]), f.Length > 5 ? f[5].Replace("\\n", "\n") : null);

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
