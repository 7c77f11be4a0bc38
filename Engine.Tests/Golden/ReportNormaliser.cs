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

    private static bool IsCompared(List<string> block) =>
        block[0].StartsWith("==PID== HEAP SUMMARY:") || block[0].StartsWith("==PID== LEAK SUMMARY:")
        || block.Any(l => Frame().IsMatch(l));

    [GeneratedRegex(@"^==\d+==")]
    private static partial Regex Pid();

    /// <summary>The prefix of lines the client prints through Valgrind (VALGRIND_PRINTF, the __*_chk messages).</summary>
    [GeneratedRegex(@"^\*\*\d+\*\*")]
    private static partial Regex PrintfPid();

    [GeneratedRegex(@"Integer divide by zero at address 0x[0-9A-F]+")]
    private static partial Regex DivideAddress();

    [GeneratedRegex(@"0x[0-9A-Fa-f]+")]
    private static partial Regex HexAddress();

    [GeneratedRegex(@"^==PID==    (at|by) 0x")]
    private static partial Regex Frame();

    [GeneratedRegex(@" in loss record \d+ of \d+$")]
    private static partial Regex LossRecordNumber();
}
