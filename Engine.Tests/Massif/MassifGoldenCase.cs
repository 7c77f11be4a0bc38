namespace Memcheck.Engine.Tests.MassifTool;

/// <summary>How much of a massif run a case compares with Valgrind's (see Golden/Massif/cases.txt).</summary>
public enum MassifComparison
{
    /// <summary>The whole output file and its ms_print rendering, after normalisation.</summary>
    Exact,
    /// <summary>The header and the peak snapshot: for time units that differ from Valgrind's by nature.</summary>
    Peak,
    /// <summary>The peak's heap exactly, its stack size within 1%.</summary>
    Stacks,
    /// <summary>The peak's size within 5% and the fixture's own mappings in its tree.</summary>
    Pages,
    /// <summary>Real programs, whose extra heap depends on Valgrind's allocator: the peak's total within 1%, its biggest path.</summary>
    Program,
}

/// <summary>
/// One line of Golden/Massif/cases.txt: a program (a C/C++ or Python fixture, or an installed program) with its arguments
/// (files under Fixtures/), how it is profiled, and Valgrind's recorded run.
/// </summary>
public sealed record MassifGoldenCase(string Name, string Source, string[] CompilerFlags, string[] ToolOptions, int ExitStatus,
    MassifComparison Comparison, string[] Arguments)
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Golden", "Massif");

    /// <summary>Valgrind's massif.out, its ms_print rendering and its commentary, as record.sh saved them.</summary>
    public string MassifPath => Path.Combine(Directory, Name + ".massif");
    public string MsPrintPath => Path.Combine(Directory, Name + ".ms_print");
    public string CommentaryPath => Path.Combine(Directory, Name + ".valgrind");

    public static IEnumerable<MassifGoldenCase> All() =>
        from line in File.ReadAllLines(Path.Combine(Directory, "cases.txt"))
        where line.Trim().Length > 0 && !line.TrimStart().StartsWith('#')
        let f = line.Split('|').Select(s => s.Trim()).ToArray()
        select new MassifGoldenCase(f[0], f[1], Words(f[2]), Words(f[3]), int.Parse(f[4]), Enum.Parse<MassifComparison>(f[5], ignoreCase: true),
            f.Length > 6 ? Words(f[6]) : []);

    /// <summary>A Python script run by /usr/bin/python3 rather than a program to build.</summary>
    public bool IsPython => Source.EndsWith(".py");

    /// <summary>An installed program, run as it is.</summary>
    public bool IsInstalled => Path.IsPathRooted(Source);

    private static string[] Words(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => Name;
}
