using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Os;
using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Core;

/// <summary>
/// What a tool plugs into the core: it rewrites each superblock before optimisation, may replace guest
/// functions and the addressability check of every access, and hears about the run. The core calls it
/// and knows nothing of any particular tool.
/// </summary>
public abstract unsafe class Tool
{
    /// <summary>The first header line, e.g. "Nulgrind, the minimal Valgrind tool".</summary>
    public abstract string Banner { get; }

    /// <summary>
    /// Called once after the program is loaded and before its first instruction, with the engine services the
    /// tool may use for the rest of the run (address space and its events, stacks, threads, commentary).
    /// </summary>
    public virtual void Attach(ToolHost host) { }

    /// <summary>Add instrumentation to a freshly lifted superblock.</summary>
    public virtual Superblock Instrument(Superblock sb) => sb;

    /// <summary>Guest functions this tool runs its own code for (malloc, free, operator new, strlen, ...).</summary>
    public virtual IReadOnlyList<FunctionReplacement> Replacements => [];

    /// <summary>
    /// The object the replacements appear to live in when a stack shows one of them, as Valgrind shows its
    /// preload library: "at 0x4848899: malloc (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)".
    /// </summary>
    public virtual string ReplacementObjectPath => CorePreloadObjectPath;

    /// <summary>Valgrind's core preload object, which its launcher preloads for every tool.</summary>
    public const string CorePreloadObjectPath = "/usr/libexec/valgrind/vgpreload_core-amd64-linux.so";

    /// <summary>
    /// The addressability map generated code checks every guest load and store against, in place of the
    /// page-ownership check; null keeps the page check (the none tool).
    /// </summary>
    public virtual AccessCheck? AccessCheck => null;

    /// <summary>
    /// Whether the guest's own cleanup functions (__gnu_cxx::__freeres, then __libc_freeres) run when the
    /// guest exits, before <see cref="Finish"/>, as Valgrind runs them for tools that track the heap.
    /// </summary>
    public virtual bool RunsFreeresAtExit => false;

    /// <summary>
    /// The kinds of the errors the tool reports, as suppression files name them; null for a tool that reports none,
    /// for which (as in Valgrind) no suppression file is read.
    /// </summary>
    public virtual ISuppressionKinds? SuppressionKinds => null;

    /// <summary>Valgrind's --read-inline-info default for the tool: yes for memcheck and massif, no for none.</summary>
    public virtual bool ReadsInlineInfo => false;

    /// <summary>
    /// Whether the tool reads how many guest instructions ran (GuestState.InstrCount): generated code keeps the count
    /// only then, since it costs a memory update at every block exit.
    /// </summary>
    public virtual bool CountsInstructions => false;

    /// <summary>
    /// A guest syscall is about to run with the guest's registers (rax the number, rdi.. the arguments); the entry is
    /// null for numbers the kernel does not define. Memcheck checks what the kernel will read here.
    /// </summary>
    public virtual void BeforeSyscall(GuestState* state, SyscallEntry? entry) { }

    /// <summary>The syscall returned <paramref name="result"/> (in rax, negative errno on failure) and the guest goes on.</summary>
    public virtual void AfterSyscall(GuestState* state, SyscallEntry? entry, long result) { }

    /// <summary>The engine wrote a signal frame on the guest stack at RSP (the handler runs next).</summary>
    public virtual void SignalFrameWritten(GuestState* state) { }

    /// <summary>
    /// A client request the core does not answer itself: the tool's own codes, and the heap-block and mempool requests
    /// of valgrind.h. Returns the answer for RDX, or null to leave the caller's default there.
    /// </summary>
    public virtual ulong? ClientRequest(GuestState* state, ClientRequest request) => null;

    /// <summary>The core wrote a guest register (a client request's answer in RDX): Valgrind's post_reg_write.</summary>
    public virtual void RegisterWrittenByCore(GuestState* state, int offset, int size) { }

    /// <summary>The errors found so far, as VALGRIND_COUNT_ERRORS answers.</summary>
    public virtual int ErrorCount => 0;

    /// <summary>The guest has ended; write the tool's final report.</summary>
    public virtual void Finish(Commentary commentary) { }
}
