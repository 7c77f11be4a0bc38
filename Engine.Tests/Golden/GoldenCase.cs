namespace Memcheck.Engine.Tests.Golden;

/// <summary>One line of cases.txt: a fixture, how it is built and run, and Valgrind's recorded report.</summary>
public sealed record GoldenCase(string Name, string Source, string[] CompilerFlags, string[] ToolOptions, int ExitStatus)
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Golden");

    public string ValgrindReportPath => Path.Combine(Directory, Name + ".valgrind");

    public static IEnumerable<GoldenCase> All() =>
        from line in File.ReadAllLines(Path.Combine(Directory, "cases.txt"))
        where line.Trim().Length > 0 && !line.TrimStart().StartsWith('#')
        let f = line.Split('|').Select(s => s.Trim()).ToArray()
        select new GoldenCase(f[0], f[1], Words(f[2]), Words(f[3]), int.Parse(f[4]));

    private static string[] Words(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() => Name;
}
