namespace Memcheck.Engine.Options;

/// <summary>
/// Valgrind 3.19's command line: <c>[options] program [program arguments]</c>. Options are checked the
/// way Valgrind checks them (tool-specific options only under their tool, ranges, words) and refused with
/// Valgrind's messages through <see cref="CommandLineException"/>.
/// </summary>
public static class CommandLine
{
    private static readonly Dictionary<string, ToolKind> ToolNames = new()
    {
        ["memcheck"] = ToolKind.Memcheck, ["none"] = ToolKind.None, ["massif"] = ToolKind.Massif,
    };

    /// <exception cref="CommandLineException">The command line is one Valgrind would refuse.</exception>
    public static CommandLineRequest Parse(IReadOnlyList<string> args)
    {
        int programIndex = FindProgram(args, out int optionCount);
        var options = args.Take(optionCount).ToList();

        // Valgrind looks for these, and for a program, before it reads anything else.
        ToolKind tool = SelectTool(options);
        if (options.Any(o => o is "-h" or "--help" or "--help-debug")) return new CommandLineRequest.Help(tool, options.Contains("--help-debug"));
        if (options.Contains("--version")) return new CommandLineRequest.Version();

        if (programIndex >= args.Count) throw CommandLineException.NoProgram();
        var session = new SessionOptions
        {
            Program = args[programIndex], Arguments = args.Skip(programIndex + 1).ToArray(), OptionArguments = options, Tool = tool,
        };
        foreach (string option in options.Where(o => o != "--"))
            session = Apply(session, option);
        CheckCombinations(session);
        return new CommandLineRequest.Run(session);
    }

    /// <summary>The program is the first argument that is not an option, or the one after "--".</summary>
    private static int FindProgram(IReadOnlyList<string> args, out int optionCount)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == "--")
            {
                optionCount = i + 1;
                return i + 1;
            }
            if (!args[i].StartsWith('-') || args[i] == "-")
            {
                optionCount = i;
                return i;
            }
        }
        optionCount = args.Count;
        return args.Count;
    }

    private static ToolKind SelectTool(IEnumerable<string> options)
    {
        string? name = options.LastOrDefault(o => o.StartsWith("--tool=", StringComparison.Ordinal))?["--tool=".Length..];
        if (name is null) return ToolKind.Memcheck;
        return ToolNames.TryGetValue(name, out var tool) ? tool : throw CommandLineException.UnknownTool(name);
    }

    private static SessionOptions Apply(SessionOptions session, string option)
    {
        switch (option)
        {
            case "-q" or "--quiet": return session with { Verbosity = 0 };
            case "-v" or "--verbose": return session with { Verbosity = session.Verbosity + 1 };
            case "-s": return session with { ShowErrorList = true };
        }
        if (option.StartsWith("--tool=", StringComparison.Ordinal)) return session;

        int equals = option.IndexOf('=');
        if (equals < 0 || !OptionTable.Options.TryGetValue(option[..equals], out var known) || !known.Tools.HasFlag(ToolBit(session.Tool)))
            throw CommandLineException.UnknownOption(option);
        try
        {
            session = known.Apply(session, option[(equals + 1)..]);
            // An option only some tools know is the tool's, which massif's output records as given.
            return known.Tools.HasFlag(ToolSet.None) ? session : session with { ToolArguments = [.. session.ToolArguments, option] };
        }
        catch (OptionValueException bad)
        {
            throw bad.Detail is null ? CommandLineException.UnknownOption(option) : CommandLineException.BadOption(option, bad.Detail);
        }
    }

    private static ToolSet ToolBit(ToolKind tool) => tool switch
    {
        ToolKind.Memcheck => ToolSet.Memcheck,
        ToolKind.None => ToolSet.None,
        ToolKind.Massif => ToolSet.Massif,
        _ => throw new ArgumentOutOfRangeException(nameof(tool), tool, null),
    };

    /// <summary>The checks Valgrind makes once every option is read.</summary>
    private static void CheckCombinations(SessionOptions session)
    {
        if (session.Xml && session.Tool != ToolKind.Memcheck)
            throw CommandLineException.BadOption("--xml=yes", $"{ToolDisplayName(session.Tool)} does not support XML output.");
        if (session.Xml && session.XmlFile is null && session.XmlFd is null && session.XmlSocket is null)
            throw CommandLineException.BadOption("--xml=yes, but no XML destination specified",
                "--xml=yes has been specified, but there is no XML output",
                "destination.  You must specify an XML output destination",
                "using --xml-fd, --xml-file or --xml-socket.");
        if (session.Xml && session.GenSuppressions == GenSuppressions.Yes)
            throw CommandLineException.BadOption("--xml=yes together with --gen-suppressions=yes",
                "When --xml=yes is specified, --gen-suppressions=no",
                "or --gen-suppressions=all is allowed, but not --gen-suppressions=yes.");
        if (session.Massif.Stacks && session.Massif.PagesAsHeap)
            throw CommandLineException.BadOption("--pages-as-heap=yes", "Cannot be used together with --stacks=yes");
        if (session.Tool == ToolKind.Memcheck && session.Memcheck.TrackOrigins && !session.Memcheck.UndefValueErrors)
            throw CommandLineException.BadOption("--undef-value-errors=no", "--track-origins=yes has no effect when --undef-value-errors=no.");
        if (session.ExitOnFirstError && session.ErrorExitCode == 0)
            throw CommandLineException.BadOption("--exit-on-first-error=yes",
                "You must define a non nul exit error code, with --error-exitcode=...");
    }

    private static string ToolDisplayName(ToolKind tool) => tool switch
    {
        ToolKind.Memcheck => "Memcheck",
        ToolKind.None => "Nulgrind",
        ToolKind.Massif => "Massif",
        _ => throw new ArgumentOutOfRangeException(nameof(tool), tool, null),
    };
}
