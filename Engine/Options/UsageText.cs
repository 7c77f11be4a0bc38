using System.Reflection;

namespace Memcheck.Engine.Options;

/// <summary>The --help and --version texts, shaped like Valgrind's and listing the options this engine accepts.</summary>
public static class UsageText
{
    /// <summary>"memcheck-0.1.0", as Valgrind prints "valgrind-3.19.0".</summary>
    public static string VersionLine
    {
        get
        {
            var assembly = typeof(UsageText).Assembly;
            string version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString(3) ?? "0";
            int metadata = version.IndexOf('+');
            return "memcheck-" + (metadata < 0 ? version : version[..metadata]);
        }
    }

    /// <param name="debug">--help-debug: the debugging options too.</param>
    public static string For(ToolKind tool, bool debug = false) => Core + tool switch
    {
        ToolKind.Memcheck => Heap + MemcheckOptions,
        ToolKind.Massif => Heap + MassifOptions,
        _ => "",
    } + (debug ? DebugOptions : "") + Footer;

    private const string Core = """
        usage: memcheck [options] prog-and-args

          tool-selection option, with default in [ ]:
            --tool=<name>             use the tool named <name>: memcheck, none or massif [memcheck]

          basic user options for all tools, with defaults in [ ]:
            -h --help                 show this message
            --help-debug              show this message, plus debugging options
            --version                 show version
            -q --quiet                run silently; only print error msgs
            -v --verbose              be more verbose -- show misc extra info
            --trace-children=no|yes   follow child processes through execve? [no]
            --child-silent-after-fork=no|yes omit child output between fork & exec? [no]
            --track-fds=no|yes|all    track open file descriptors? [no]
                                      all includes reporting stdin, stdout and stderr
            --time-stamp=no|yes       add timestamps to log messages? [no]
            --log-fd=<number>         log messages to file descriptor [2=stderr]
            --log-file=<file>         log messages to <file>; %p is the process id,
                                      %n a sequence number, %q{VAR} the variable VAR
            --backend=jit|interpreter run translations compiled, or in the reference
                                      IR interpreter (slow; for checking the JIT) [jit]

          user options for tools that report errors:
            --xml=yes                 emit error output in XML (memcheck only)
            --xml-fd=<number>         XML output to file descriptor
            --xml-file=<file>         XML output to <file>
            --xml-socket=ipaddr:port  XML output to socket ipaddr:port
            --xml-user-comment=STR    copy STR verbatim into XML output
            --demangle=no|yes         automatically demangle C++ names? [yes]
            --num-callers=<number>    show <number> callers in stack traces [12]
            --error-limit=no|yes      stop showing new errors if too many? [yes]
            --exit-on-first-error=no|yes exit code on the first error found? [no]
            --error-exitcode=<number> exit code to return if errors found [0=disable]
            --show-error-list=no|yes  show detected errors list and
                                      suppression counts at exit [no]
            -s                        same as --show-error-list=yes
            --show-below-main=no|yes  continue stack traces below main() [no]
            --default-suppressions=yes|no
                                      load default suppressions [yes]
            --suppressions=<filename> suppress errors described in <filename>
            --gen-suppressions=no|yes|all    print suppressions for errors? [no]
            --input-fd=<number>       file descriptor for input [0=stdin]
            --max-stackframe=<number> assume stack switch for SP changes larger
                                      than <number> bytes [2000000]
            --main-stacksize=<number> set size of main thread's stack (in bytes)
                                      [min(max(current 'ulimit' value,1MB),16MB)]

          uncommon user options for all tools:
            --smc-check=none|stack|all|all-non-file [all-non-file]
                                      checks for self-modifying code: none, only for
                                      code found in stacks, for all code, or for all
                                      code except that from file-backed mappings
            --read-inline-info=yes|no read debug info about inlined function calls
                                      and use it to do better stack traces.
                                      [yes] for memcheck and massif, [no] for none
            --read-var-info=yes|no    read debug info on stack and global variables
                                      and use it to print better error messages [no]
            --redzone-size=<number>   set minimum size of redzones added before/after
                                      heap blocks (in bytes). [16]
            --run-libc-freeres=no|yes free up glibc memory at exit on Linux? [yes]
            --run-cxx-freeres=no|yes  free up libstdc++ memory at exit on Linux
                                      and Solaris? [yes]

        """;

    private const string Heap = """
          user options for tools that replace malloc:
            --alignment=<number>      set minimum alignment of heap allocations [16]

        """;

    private const string MemcheckOptions = """
          user options for Memcheck:
            --leak-check=no|summary|full     search for memory leaks at exit?  [summary]
            --leak-resolution=low|med|high   differentiation of leak stack traces [high]
            --show-leak-kinds=kind1,kind2,.. which leak kinds to show?
                                                    [definite,possible]
            --errors-for-leak-kinds=kind1,kind2,..  which leak kinds are errors?
                                                    [definite,possible]
                where kind is one of:
                  definite indirect possible reachable all none
            --leak-check-heuristics=heur1,heur2,... which heuristics to use for
                improving leak search false positive [all]
                where heur is one of:
                  stdstring length64 newarray multipleinheritance all none
            --show-reachable=yes             same as --show-leak-kinds=all
            --show-reachable=no --show-possibly-lost=yes
                                             same as --show-leak-kinds=definite,possible
            --show-reachable=no --show-possibly-lost=no
                                             same as --show-leak-kinds=definite
            --undef-value-errors=no|yes      check for undefined value errors [yes]
            --track-origins=no|yes           show origins of undefined values? [no]
            --partial-loads-ok=no|yes        allow aligned word loads that are partly
                                             out of bounds? [yes]
            --expensive-definedness-checks=no|auto|yes
                                             Use extra-precise definedness tracking [auto]
            --freelist-vol=<number>          volume of freed blocks queue     [20000000]
            --freelist-big-blocks=<number>   releases first blocks with size>= [1000000]
            --ignore-ranges=0xPP-0xQQ[,0xRR-0xSS]   assume given addresses are OK
            --malloc-fill=<hexnumber>        fill malloc'd areas with given value
            --free-fill=<hexnumber>          fill free'd areas with given value
            --keep-stacktraces=alloc|free|alloc-and-free|alloc-then-free|none
                stack trace(s) to keep for malloc'd/free'd areas       [alloc-and-free]
            --show-mismatched-frees=no|yes   show frees that don't match the allocator? [yes]

        """;

    private const string MassifOptions = """
          user options for Massif:
            --heap=no|yes             profile heap blocks [yes]
            --heap-admin=<size>       average admin bytes per heap block;
                                       ignored if --heap=no [8]
            --stacks=no|yes           profile stack(s) [no]
            --pages-as-heap=no|yes    profile memory at the page level [no]
            --depth=<number>          depth of contexts [30]
            --alloc-fn=<name>         specify <name> as an alloc function [empty]
            --ignore-fn=<name>        ignore heap allocations within <name> [empty]
            --threshold=<m.n>         significance threshold, as a percentage [1.0]
            --peak-inaccuracy=<m.n>   maximum peak inaccuracy, as a percentage [1.0]
            --time-unit=i|ms|B        time unit: instructions executed, milliseconds
                                      or heap bytes alloc'd/dealloc'd [i]
            --detailed-freq=<N>       every Nth snapshot should be detailed [10]
            --max-snapshots=<N>       maximum number of snapshots recorded [100]
            --massif-out-file=<file>  output file name [massif.out.%p]

        """;

    private const string DebugOptions = """

          debugging options for all tools:
            --stats=no|yes            show tool and core statistics [no]
            --trace-flags=<XXXXXXXX>   show generated code? (X = 0|1) [00000000]
            --trace-notbelow=<number> only show BBs above <number> [999999999]
          --trace-flags values (omit the middle space):
             1000 0000   show conversion into IR
             0010 0000   show after instrumentation
             0001 0000   show after optimisation
             0000 0001   show final assembly
            (Nb: you need --trace-notbelow with --trace-flags for full details)

        """;

    private const string Footer = """
          memcheck is an MIT-licensed dynamic binary translator for x86-64 Linux
          that reproduces Valgrind's command line and reports.

        """;
}
