using System.Text;

namespace Memcheck.Engine.Options;

/// <summary>
/// Expands Valgrind's output file name patterns (--log-file, --xml-file, --massif-out-file):
/// %p is the process id, %n a per-process sequence number, %q{VAR} an environment variable,
/// %% a percent sign.
/// </summary>
public static class OutputFileName
{
    public static string Expand(string pattern, int processId, int sequenceNumber = 1) =>
        Expand(pattern, processId, sequenceNumber, Environment.GetEnvironmentVariable);

    /// <exception cref="FormatException">The pattern is malformed or names an unset variable; the message is Valgrind's.</exception>
    public static string Expand(string pattern, int processId, int sequenceNumber, Func<string, string?> environment)
    {
        var name = new StringBuilder(pattern.Length + 16);
        for (int i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] != '%')
            {
                name.Append(pattern[i]);
                continue;
            }
            char spec = ++i < pattern.Length ? pattern[i] : '\0';
            switch (spec)
            {
                case '%': name.Append('%'); break;
                case 'p': name.Append(processId); break;
                case 'n': name.Append(sequenceNumber); break;
                case 'q':
                    if (++i >= pattern.Length || pattern[i] != '{') throw new FormatException("Expected '{' after '%q'");
                    int close = pattern.IndexOf('}', i + 1);
                    if (close < 0) throw new FormatException("Missing '}' in %q specifier");
                    string variable = pattern[(i + 1)..close];
                    name.Append(environment(variable)
                        ?? throw new FormatException($"Environment variable '{variable}' is not set"));
                    i = close;
                    break;
                default:
                    throw new FormatException("Expected 'p' or 'q' or '%' after '%'");
            }
        }
        return name.ToString();
    }
}
