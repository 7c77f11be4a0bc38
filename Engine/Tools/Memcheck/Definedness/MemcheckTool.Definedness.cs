using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Os;
using Memcheck.Engine.Tools.Memcheck.Definedness;
using Memcheck.Engine.Tools.Memcheck.Errors;
using Memcheck.Engine.Tools.Memcheck.Instrumentation;
using Memcheck.Engine.Tools.Memcheck.Origins;
using Memcheck.Engine.Tools.Memcheck.Replacements;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// Memcheck's definedness checking wired in: the V-bit pass and stack-pointer tracking on every superblock, the
/// undefined-value and string-function reports, and the syscall checks. Kept apart from the heap and address side.
/// With --track-origins=yes each value also carries the tag of what created it, and each report names it.
/// </summary>
public sealed unsafe partial class MemcheckTool : IShadowMemoryOwner, IUndefinedValueReports, IStringCheckHost
{
    private const string ConditionHeadline = "Conditional jump or move depends on uninitialised value(s)";

    private VBitInstrumenter? _vbits;
    private StackPointerTracking? _stackTracking;
    private SyscallChecks? _syscalls;
    private BreakShadow? _break;

    /// <summary>
    /// The one switch for V bits: with --undef-value-errors=no memcheck tracks A bits only (no V-bit pass, blocks
    /// defined when allocated), as Valgrind does.
    /// </summary>
    private bool TracksDefinedness => _options.Memcheck.UndefValueErrors;

    /// <summary>--track-origins=yes, which means nothing without V bits (the command line refuses that pair).</summary>
    private bool TracksOrigins => TracksDefinedness && _options.Memcheck.TrackOrigins;

    /// <summary>Valgrind's memcheck reads inlined frames by default (the string replacements' callers are often inlined).</summary>
    public override bool ReadsInlineInfo => true;

    public ShadowMemory Shadow => _shadow;
    public bool PartialLoadsOk => _options.Memcheck.PartialLoadsOk;

    public override Superblock Instrument(Superblock sb)
    {
        if (!TracksDefinedness) return sb;
        // The replacements set the V bits of what they write themselves (malloc's block, memcpy's copy).
        _vbits ??= new VBitInstrumenter(_shadow, Expensive(_options.Memcheck.ExpensiveDefinednessChecks), Replacements.Select(r => r.Helper));
        _stackTracking ??= new StackPointerTracking(TracksOrigins ? StackHelpers.WithOrigins(StackOrigin, _shadow.Origins!.Primary, Run.Origins!.RecentStacks) : StackHelpers.Events);
        var withVBits = _vbits.Instrument(sb);
        var tracked = _stackTracking.Instrument(withVBits);
        // Nothing reads the intermediate block again: its (large) arrays go back to the pool, not to the GC.
        if (tracked != withVBits) withVBits.Release();
        return tracked;
    }

    public uint StackOrigin(ulong codeAddress) => Run.Origins?.Stack(codeAddress) ?? OriginTags.None;

    private static ExpensiveChecks Expensive(ExpensiveDefinednessChecks option) => option switch
    {
        ExpensiveDefinednessChecks.No => ExpensiveChecks.No,
        ExpensiveDefinednessChecks.Yes => ExpensiveChecks.Yes,
        _ => ExpensiveChecks.Auto,
    };

    public override void BeforeSyscall(GuestState* state, SyscallEntry? entry)
    {
        if (entry?.Name == "brk") Break.Before();
        if (TracksDefinedness) Syscalls.Before(state, entry);
    }

    public override void AfterSyscall(GuestState* state, SyscallEntry? entry, long result)
    {
        if (entry?.Name == "brk")
            Break.After(TracksDefinedness, () => Run.Origins is { } origins ? origins.Unknown(Run.Stacks.Add(Run.Host.CaptureStack(state))) : OriginTags.None);
        if (TracksDefinedness) Syscalls.After(state, entry, result);
    }

    private BreakShadow Break => _break ??= new BreakShadow(Run.Host.Space, _shadow);

    /// <summary>What the core writes to a register (a client request's answer) is defined.</summary>
    public override void RegisterWrittenByCore(GuestState* state, int offset, int size)
    {
        if (TracksDefinedness) ShadowRegisters.SetVBits(state, offset, size, 0);
    }

    public override void SignalFrameWritten(GuestState* state)
    {
        if (!TracksDefinedness) return;
        // The frame is what the kernel wrote; below it the handler's red zone comes to life, as for any stack growth,
        // created (for origins) where the signal arrived.
        ulong sp = state->Gpr[4];
        _shadow.MakeDefined(sp, SignalFrameLayout.BytesAt(sp));
        uint origin = Run.Origins is { } origins ? origins.Unknown(Run.Stacks.Add(Run.Host.CaptureStack(state))) : OriginTags.None;
        _shadow.MakeUndefined(sp - StackPointerTracking.RedZone, StackPointerTracking.RedZone, origin);
    }

    private SyscallChecks Syscalls => _syscalls ??= new SyscallChecks(_shadow, Run.Host.Space.Pages, this);

    public void ConditionalJump(GuestState* state, uint origin) =>
        ReportError(state, MemcheckErrorKind.UninitialisedCondition, ConditionHeadline, ConditionHeadline, origin: origin);

    public void ValueOfSize(GuestState* state, int size, uint origin)
    {
        string headline = $"Use of uninitialised value of size {size}";
        ReportError(state, MemcheckErrorKind.UninitialisedValue, headline, headline, size: size, origin: origin);
    }

    /// <summary>
    /// "Syscall param write(buf) points to uninitialised byte(s)" (or unaddressable) for memory at
    /// <paramref name="address"/>, described; without an address the parameter's register "contains uninitialised byte(s)".
    /// An uninitialised parameter comes with the origin of its value.
    /// </summary>
    internal void SyscallParam(GuestState* state, MemcheckErrorKind kind, string parameter, ulong? address, uint origin = OriginTags.None)
    {
        string problem = address is null ? "contains uninitialised" : kind == MemcheckErrorKind.UnaddressableSyscallParam
            ? "points to unaddressable" : "points to uninitialised";
        string headline = $"Syscall param {parameter} {problem} byte(s)";
        ReportError(state, kind, headline, headline, address is ulong a ? Run.Describer.Describe(a) : null, parameter: parameter,
            origin: origin);
    }

    public bool CanRead(ulong address, ulong length) => length <= int.MaxValue && Run.Host.Space.Pages.CanRead(address, (int)length);
    public bool CanWrite(ulong address, ulong length) => length <= int.MaxValue && Run.Host.Space.Pages.CanWrite(address, (int)length);

    public void InvalidRead(GuestState* state, int site, ulong address, int size) => InvalidAccess(state, site, address, size, "read");
    public void InvalidWrite(GuestState* state, int site, ulong address, int size) => InvalidAccess(state, site, address, size, "write");

    private void InvalidAccess(GuestState* state, int site, ulong address, int size, string direction)
    {
        if (Run.ErrorRanges.IsDisabled(address)) return;
        string headline = $"Invalid {direction} of size {size}";
        var kind = direction == "read" ? MemcheckErrorKind.InvalidRead : MemcheckErrorKind.InvalidWrite;
        ReportError(state, kind, headline, SiteKey(headline, site), Run.Describer.Describe(address), size);
    }

    public void UninitialisedCondition(GuestState* state, int site, uint origin) =>
        ReportError(state, MemcheckErrorKind.UninitialisedCondition, ConditionHeadline, SiteKey(ConditionHeadline, site), origin: origin);

    public void Overlap(GuestState* state, int site, string function, ulong destination, ulong source, ulong length) =>
        ReportError(state, MemcheckErrorKind.Overlap, StringReports.OverlapMessage(function, destination, source, length),
            SiteKey($"overlap {function}", site));

    /// <summary>The access was reported; the guest takes SIGSEGV at the replacement, as Valgrind's guest does in its code.</summary>
    public void Fault(GuestState* state, int site, ulong address) => ReplacementEnding.Fault(state, address);

    /// <summary>
    /// Valgrind's message, a client message with its stack, which starts in the unnamed function of its preload that
    /// prints it; then the guest exits with status 1.
    /// </summary>
    public void BufferOverflow(GuestState* state, string function)
    {
        StackTrace stack = Run.Host.CaptureStack(state);
        StackFrame replacement = stack.Frames[0];
        var printer = new StackFrame(replacement.Address, null, null, 0, replacement.Object);
        Run.Host.Errors.ClientMessage(StringReports.BufferOverflowMessage(function) + "\n",
            new StackTrace([printer, .. stack.Frames.Take(Run.Host.NumCallers - 1)]), Run.Host.CurrentThread);
        ReplacementEnding.Exit(state, StringReports.BufferOverflowExitCode);
    }

    /// <summary>Errors from two instructions of one replacement are two contexts in Valgrind: the site keeps them apart.</summary>
    private static string SiteKey(string key, int site) => $"{key} @{site}";

    private void ReportError(GuestState* state, MemcheckErrorKind kind, string headline, string key, AddressDescription? address = null,
        int size = 0, string? parameter = null, uint origin = OriginTags.None) =>
        Run.Errors.Report(new MemcheckError(kind, headline, Run.Host.CaptureStack(state), address, Run.Origins?.Describe(origin))
        {
            Size = size,
            Parameter = parameter,
        }, key);
}
