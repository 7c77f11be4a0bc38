using System.Text.RegularExpressions;

namespace Memcheck.Engine.Tests.Golden;

/// <summary>
/// Puts a Valgrind-format report into the form golden files are compared in: pid and program path
/// replaced, the two header lines that name the engine dropped, and the values Valgrind itself gets
/// wrong replaced (si_addr of SIGFPE, which it reports from a stale register).
/// </summary>
public static partial class ReportNormaliser
{
    public static List<string> Normalise(string report, string programPath) =>
        [.. report.Split('\n')
            .Select(l => Pid().Replace(l, "==PID==").Replace(programPath, "PROGRAM"))
            .Where(l => !l.StartsWith("==PID== Copyright") && !l.StartsWith("==PID== Using "))
            .Select(l => DivideAddress().Replace(l, "Integer divide by zero at address ADDRESS"))];

    [GeneratedRegex(@"^==\d+==")]
    private static partial Regex Pid();

    [GeneratedRegex(@"Integer divide by zero at address 0x[0-9A-F]+")]
    private static partial Regex DivideAddress();
}
