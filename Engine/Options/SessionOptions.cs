namespace Memcheck.Engine;

/// <summary>
/// Everything a run is configured with: Valgrind's core options plus the chosen tool's. The command
/// line parser (<see cref="Options.CommandLine"/>) fills it from Valgrind-style arguments; .NET callers
/// may build it directly. Defaults are Valgrind 3.19's.
/// </summary>
public sealed record SessionOptions
{
    /// <summary>The executable to load: a path the frontend has already resolved through PATH.</summary>
    public required string Program { get; init; }
    /// <summary>The program as the user typed it: the guest's argv[0] and Valgrind's "Command:" line. Null means <see cref="Program"/>.</summary>
    public string? CommandName { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];
    /// <summary>The options as typed before the program, which XML output lists; empty when the options are built in code.</summary>
    public IReadOnlyList<string> OptionArguments { get; init; } = [];

    public ToolKind Tool { get; init; } = ToolKind.Memcheck;
    /// <summary>The options only the chosen tool knows, as given on the command line (massif's output records them).</summary>
    public IReadOnlyList<string> ToolArguments { get; init; } = [];
    /// <summary>How translated code runs: compiled (default) or in the reference IR interpreter.</summary>
    public ExecutionBackend Backend { get; init; } = ExecutionBackend.Jit;

    /// <summary>0 with -q, 1 by default, one more per -v.</summary>
    public int Verbosity { get; init; } = 1;

    /// <summary>Where the text log goes: a file name pattern (see <see cref="Options.OutputFileName"/>) or else <see cref="LogFd"/>.</summary>
    public string? LogFile { get; init; }
    public int LogFd { get; init; } = 2;

    /// <summary>--xml=yes: the report goes to the XML writer the caller gives <see cref="Session.Run"/>.</summary>
    public bool Xml { get; init; }
    public string? XmlFile { get; init; }
    public int? XmlFd { get; init; }
    /// <summary>--xml-socket=IPADDR[:PORT]: the XML goes to a listener there (port 1500 by default).</summary>
    public string? XmlSocket { get; init; }
    /// <summary>--xml-user-comment: copied verbatim (unescaped) into the XML output.</summary>
    public string? XmlUserComment { get; init; }

    public int NumCallers { get; init; } = 12;
    public bool ErrorLimit { get; init; } = true;
    /// <summary>Exit status when errors were found; 0 means "exit with the guest's status".</summary>
    public int ErrorExitCode { get; init; }
    public bool ExitOnFirstError { get; init; }
    public bool ShowErrorList { get; init; }

    public bool TraceChildren { get; init; }
    public bool ChildSilentAfterFork { get; init; }
    public TrackFds TrackFds { get; init; } = TrackFds.No;
    public bool TimeStamp { get; init; }
    /// <summary>--stats=yes: translation and tool statistics at exit.</summary>
    public bool Stats { get; init; }
    /// <summary>--trace-flags as a number (bit 7 the leftmost digit): which translation stages to print.</summary>
    public int TraceFlags { get; init; }
    /// <summary>--trace-notbelow: the first superblock number traced (by default none, as in Valgrind).</summary>
    public long TraceNotBelow { get; init; } = 999_999_999;

    /// <summary>Whether Valgrind's own suppression file is read after <see cref="Suppressions"/>.</summary>
    public bool DefaultSuppressions { get; init; } = true;
    public IReadOnlyList<string> Suppressions { get; init; } = [];
    public GenSuppressions GenSuppressions { get; init; } = GenSuppressions.No;
    /// <summary>Where --gen-suppressions=yes reads its answers.</summary>
    public int InputFd { get; init; }

    public bool Demangle { get; init; } = true;
    public bool ShowBelowMain { get; init; }
    public long MaxStackFrame { get; init; } = 2_000_000;
    /// <summary>Main thread stack size in bytes; null means Valgrind's rule, min(max(ulimit -s, 1 MiB), 16 MiB).</summary>
    public long? MainStackSize { get; init; }
    public SmcCheck SmcCheck { get; init; } = SmcCheck.AllNonFile;
    public bool ReadVarInfo { get; init; }
    /// <summary>Null means the tool's default (yes for memcheck and massif, no for none).</summary>
    public bool? ReadInlineInfo { get; init; }
    /// <summary>--run-libc-freeres and --run-cxx-freeres: let __libc_freeres and __gnu_cxx::__freeres run at exit, for tools that run them.</summary>
    public bool RunLibcFreeres { get; init; } = true;
    public bool RunCxxFreeres { get; init; } = true;

    // Options of tools that replace malloc (memcheck, massif); redzone-size is accepted by every tool.
    /// <summary>Null means the tool's default: 16 for memcheck, 0 for massif.</summary>
    public int? RedzoneSize { get; init; }
    public int Alignment { get; init; } = 16;

    public MemcheckOptions Memcheck { get; init; } = new();
    public MassifOptions Massif { get; init; } = new();
}

public enum ToolKind { Memcheck, None, Massif }

public enum ExecutionBackend { Jit, Interpreter }

public enum TrackFds { No, Yes, All }

public enum GenSuppressions { No, Yes, All }

public enum SmcCheck { None, Stack, All, AllNonFile }
