using System.Text.RegularExpressions;

namespace Memcheck.Engine.Tests.Golden;

/// <summary>
/// Puts a Valgrind-format report into the form golden files are compared in: pid (==PID==, **PID**) and program path
/// replaced, the two header lines that name the engine dropped, and the values Valgrind itself gets
/// wrong replaced (si_addr of SIGFPE, which it reports from a stale register). Memcheck reports also
/// lose every hex address (heap, stack, library and replacement-object addresses differ between
/// Valgrind and this engine); function names, file:line, sizes and counts stay exact.
/// </summary>
public static partial class ReportNormaliser
{
    public const string Address = "0xADDR";

    /// <param name="programPath">The program's path as the report shows it, or null when it shows none to replace.</param>
    public static List<string> Normalise(string report, string? programPath, bool memcheck) =>
        [.. report.Split('\n')
            .Select(l => Pid().Replace(l, "==PID=="))
            .Select(l => VerbosePid().Replace(l, "--PID--"))
            .Select(l => PrintfPid().Replace(l, "**PID**"))
            .Select(l => programPath is null ? l : l.Replace(programPath, "PROGRAM"))
            .Where(l => !l.StartsWith("==PID== Copyright") && !l.StartsWith("==PID== Using "))
            .Select(l => DivideAddress().Replace(l, "Integer divide by zero at address ADDRESS"))
            .Select(l => memcheck ? HexAddress().Replace(l, Address) : l)];

    /// <summary>
    /// The parts of a normalised report <see cref="GoldenComparison.Summaries"/> compares: every error block
    /// (a block with a stack: headline, frames, address description; loss records without their numbering),
    /// the HEAP SUMMARY and LEAK SUMMARY blocks and the ERROR SUMMARY line. Blocks end at empty "==PID== " lines.
    /// </summary>
    public static List<string> Summaries(IReadOnlyList<string> normalised)
    {
        var kept = new List<string>();
        var block = new List<string>();
        foreach (string line in normalised.Append(""))
        {
            string text = line.StartsWith("==PID==") ? line["==PID==".Length..] : line;
            if (text.Trim().Length > 0) { block.Add(line); continue; }
            if (block.Count > 0 && IsCompared(block)) kept.AddRange(block.Select(l => LossRecordNumber().Replace(l, "")));
            else kept.AddRange(block.Where(l => l.StartsWith("==PID== ERROR SUMMARY:")));
            block.Clear();
        }
        return kept;
    }

    /// <summary>
    /// What <see cref="GoldenComparison.Suppressions"/> compares of a normalised -v report: the suppression files
    /// read, the used_suppression lines and the ERROR SUMMARY lines.
    /// </summary>
    public static List<string> SuppressionLines(IReadOnlyList<string> normalised) =>
        [.. normalised.Where(l => l.StartsWith("--PID-- Reading suppressions file: ") || l.StartsWith("--PID-- used_suppression:")
            || l.StartsWith("==PID== ERROR SUMMARY:"))];

    /// <summary>
    /// Puts XML output into the form it is compared in: pid, ppid and times replaced, the engine's own executable and
    /// the two preamble lines naming it dropped, the program's and the XML file's paths replaced, and every hex
    /// address but the errors' unique numbers replaced, as in memcheck's text reports.
    /// </summary>
    public static List<string> NormaliseXml(string xml, string? programPath, string xmlPath)
    {
        bool engineSeen = false;
        var lines = new List<string>();
        foreach (string raw in xml.Split('\n'))
        {
            string line = raw.Replace(xmlPath, "XMLFILE");
            if (programPath is not null) line = line.Replace(programPath, "PROGRAM");
            if (line.StartsWith("  <line>Copyright") || line.StartsWith("  <line>Using ")) continue;
            if (!engineSeen && line.StartsWith("    <exe>"))
            {
                // The first <exe> is the checker's own: valgrind.bin, or this engine.
                engineSeen = true;
                line = "    <exe>ENGINE</exe>";
            }
            line = XmlNumber().Replace(line, "<$1>N</$1>");
            // A fixture's directory is wherever the cached binary was compiled from.
            line = FixtureDirectory().Replace(line, "<dir>FIXTURES/");
            if (!line.Contains("<unique>")) line = HexAddress().Replace(line, Address);
            lines.Add(line);
        }
        return lines;
    }

    private static bool IsCompared(List<string> block) =>
        block[0].StartsWith("==PID== HEAP SUMMARY:") || block[0].StartsWith("==PID== LEAK SUMMARY:")
        || block.Any(l => Frame().IsMatch(l));

    /// <summary>At a line's start, or after --gen-suppressions=yes's question, which takes no newline.</summary>
    [GeneratedRegex(@"(?<=^|---- )==\d+==")]
    private static partial Regex Pid();

    [GeneratedRegex(@"<dir>[^<]*/Fixtures/")]
    private static partial Regex FixtureDirectory();

    [GeneratedRegex(@"^--\d+--")]
    private static partial Regex VerbosePid();

    /// <summary>The prefix of lines the client prints through Valgrind (VALGRIND_PRINTF, the __*_chk messages).</summary>
    [GeneratedRegex(@"^\*\*\d+\*\*")]
    private static partial Regex PrintfPid();

    [GeneratedRegex(@"<(pid|ppid|time)>[^<]*</\1>")]
    private static partial Regex XmlNumber();

    [GeneratedRegex(@"Integer divide by zero at address 0x[0-9A-F]+")]
    private static partial Regex DivideAddress();

    [GeneratedRegex(@"0x[0-9A-Fa-f]+")]
    private static partial Regex HexAddress();

    [GeneratedRegex(@"^==PID==    (at|by) 0x")]
    private static partial Regex Frame();

    [GeneratedRegex(@" in loss record \d+ of \d+$")]
    private static partial Regex LossRecordNumber();
}
