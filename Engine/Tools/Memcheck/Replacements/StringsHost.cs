using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>
/// What the string and memory replacements need from memcheck: the shadow memory, the guest's page permissions
/// and the error reports. The running tool (found through <see cref="GuestState.ToolHandle"/>) implements it.
/// A <c>site</c> (0-15) numbers the instruction of the replacement an error comes from: Valgrind's replacement
/// is guest code, so errors from two of its instructions (strcmp's equality test and its final ordering, say)
/// are two contexts there. The host keeps them apart by adding the site to the error's comparison key; the stack
/// it captures is the replacement's own (RIP at its entry, so the walk goes on to the caller).
/// </summary>
public unsafe interface IStringCheckHost
{
    ShadowMemory Shadow { get; }

    /// <summary>--partial-loads-ok: an aligned word load with some addressable bytes is no error; the others read as undefined.</summary>
    bool PartialLoadsOk { get; }

    /// <summary>Whether the guest owns [address, address+length) readable (writable): a replacement touches nothing else.</summary>
    bool CanRead(ulong address, ulong length);
    bool CanWrite(ulong address, ulong length);

    /// <summary>"Invalid read of size N" at the replacement, for an access starting at <paramref name="address"/>.</summary>
    void InvalidRead(GuestState* state, int site, ulong address, int size);
    void InvalidWrite(GuestState* state, int site, ulong address, int size);

    /// <summary>
    /// "Conditional jump or move depends on uninitialised value(s)" at the replacement, about a value with that origin
    /// tag (none without origins).
    /// </summary>
    void UninitialisedCondition(GuestState* state, int site, uint origin);

    /// <summary>
    /// "Source and destination overlap in FUNCTION(dst, src, length)", or "FUNCTION(dst, src)" when
    /// <paramref name="length"/> is 0 (strcpy, stpcpy, strcat, wcscpy, and strncat with n = 0).
    /// </summary>
    void Overlap(GuestState* state, int site, string function, ulong destination, ulong source, ulong length);

    /// <summary>
    /// The replacement needs memory the guest cannot access: the guest gets SIGSEGV at the replacement, as it does
    /// under Valgrind. The replacement stops and its result is meaningless.
    /// </summary>
    void Fault(GuestState* state, int site, ulong address);

    /// <summary>
    /// A __*_chk function found its destination too small: Valgrind prints
    /// "**PID** *** memcpy_chk: buffer overflow detected ***: program terminated" (<see cref="StringReports.BufferOverflowMessage"/>)
    /// with the stack, and the guest exits with status 1. The replacement stops.
    /// </summary>
    void BufferOverflow(GuestState* state, string function);
}

/// <summary>Texts of the reports only the string replacements make.</summary>
public static class StringReports
{
    /// <summary>The overlap error's first line; FUNCTION is Valgrind's name for the check ("memcpy_chk" for __memcpy_chk).</summary>
    public static string OverlapMessage(string function, ulong destination, ulong source, ulong length) => length == 0
        ? $"Source and destination overlap in {function}(0x{destination:x}, 0x{source:x})"
        : $"Source and destination overlap in {function}(0x{destination:x}, 0x{source:x}, {length})";

    /// <summary>What a __*_chk replacement prints (after "**PID** ") before the guest exits with status 1.</summary>
    public static string BufferOverflowMessage(string function) =>
        $"*** {function}: buffer overflow detected ***: program terminated";

    /// <summary>The guest's exit status after <see cref="BufferOverflowMessage"/>.</summary>
    public const int BufferOverflowExitCode = 1;
}
