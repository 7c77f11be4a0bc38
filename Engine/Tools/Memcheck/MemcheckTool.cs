using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Reporting;
using Memcheck.Engine.Tools.Heap;
using Memcheck.Engine.Tools.Memcheck.Errors;
using Memcheck.Engine.Tools.Memcheck.Origins;
using Memcheck.Engine.Tools.Memcheck.Replacements;
using Memcheck.Engine.Tools.Memcheck.Requests;
using Memcheck.Engine.Tools.Memcheck.Reporting;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// Valgrind's memcheck: addressability of every guest byte (shadow memory fed by the address space's events and the
/// tracked heap), the malloc family replaced, every invalid access and heap misuse reported, and at exit the heap
/// summary, the leak check and the error summary, in Valgrind's words and order.
/// </summary>
public sealed unsafe partial class MemcheckTool : Tool, IHeapTool, IDisposable
{
    private static readonly IrHelper SlowPathHelper = new("mc_access_slow_path", &SlowPath, 3, isPure: false);

    private readonly SessionOptions _options;
    private readonly ShadowMemory _shadow;
    private Attached? _run;

    public MemcheckTool(SessionOptions options)
    {
        // With --xml=yes Valgrind's memcheck always makes the full leak check, to give the XML all it finds.
        _options = options.Xml ? options with { Memcheck = options.Memcheck with { LeakCheck = LeakCheck.Full } } : options;
        _shadow = new ShadowMemory(TracksOrigins ? new OriginMemory() : null);
        Replacements = [.. HeapReplacements.All(), .. StringsTable.Replacements()];
        AccessCheck = new AccessCheck(_shadow.Primary, SlowPathHelper, _shadow.SharedSecondaries);
    }

    public override string Banner => "Memcheck, a memory error detector";
    public override string ReplacementObjectPath => "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so";
    public override IReadOnlyList<FunctionReplacement> Replacements { get; }
    public override AccessCheck? AccessCheck { get; }
    public override bool RunsFreeresAtExit => true;
    public override ISuppressionKinds SuppressionKinds => ErrorKinds.Instance;

    /// <summary>The heap operations the replacements run.</summary>
    public IReplacedHeap ReplacedHeap => Run.Functions;

    /// <summary>What the run found, once <see cref="Finish"/> has reported it.</summary>
    public MemcheckReport? Report { get; private set; }

    private Attached Run => _run ?? throw new InvalidOperationException("memcheck is not attached to a guest");

    /// <summary>The tool a helper runs for, from the GCHandle in the guest state.</summary>
    public static MemcheckTool Of(GuestState* state) => (MemcheckTool)GCHandle.FromIntPtr(state->ToolHandle).Target!;

    public override void Attach(ToolHost host)
    {
        var arena = new HeapArena(host.Space);
        var stacks = new StackStore(host.DebugInfo);
        var origins = TracksOrigins ? new OriginSources(stacks, host.DebugInfo.Describe) : null;
        var heap = new HeapTracker(arena, _shadow, HeapOptions.From(_options), origins);
        var errors = new ErrorLog(host, _options.ErrorLimit);
        var clientBlocks = new ClientBlocks();
        var describer = new AddressDescriber(host, heap, stacks, clientBlocks);
        // Without V bits (--undef-value-errors=no) nothing would define what the guest writes into a block.
        var calls = new HeapCalls(host, heap, _shadow, stacks, errors, describer, _options.Memcheck, definedOnAllocation: !TracksDefinedness);
        var leaks = new LeakSearch(host, heap, arena, _shadow, stacks, errors, _options.Memcheck);
        var ranges = new ErrorReportingRanges();
        var requests = new MemcheckRequests(host, _shadow, errors, describer, leaks, calls, clientBlocks, ranges, stacks, origins);
        _run = new Attached(host, arena, heap, stacks, errors, describer, new MemcheckHeapFunctions(calls), leaks, requests,
            ranges, origins);
        new AddressSpaceShadow(host.Space, _shadow, arena).Follow();
    }

    [UnmanagedCallersOnly]
    private static ulong SlowPath(GuestState* state, ulong address, ulong size, ulong isStore, ulong a3) =>
        Of(state).CheckAccess(state, address, size, isStore != 0);

    /// <summary>
    /// An access the inline check refused: report it unless every byte is addressable (or --partial-loads-ok lets an
    /// aligned word or vector load through), then let it happen only where the guest's pages allow it. A vector store
    /// is checked as Valgrind checks it, in 8-byte pieces: each piece with an unaddressable byte is its own report.
    /// </summary>
    private ulong CheckAccess(GuestState* state, ulong address, ulong size, bool store)
    {
        if (store && size > 8)
            for (ulong piece = 0; piece < size; piece += 8) ReportInvalid(state, address + piece, 8, store);
        else ReportInvalid(state, address, size, store);
        var pages = Run.Host.Space.Pages;
        return (store ? pages.CanWrite(address, (int)size) : pages.CanRead(address, (int)size)) ? 0UL : 1UL;
    }

    private void ReportInvalid(GuestState* state, ulong address, ulong size, bool store)
    {
        Attached run = Run;
        ulong bad = 0;
        for (ulong i = 0; i < size; i++)
            if (_shadow.Get(address + i) == VaBits.NoAccess) bad++;
        bool partialLoadOk = !store && _options.Memcheck.PartialLoadsOk && size is 8 or 16 or 32 && address % size == 0 && bad < size;
        if (bad == 0 || partialLoadOk || run.ErrorRanges.IsDisabled(address)) return;
        string headline = $"Invalid {(store ? "write" : "read")} of size {size}";
        run.Errors.Report(new MemcheckError(store ? MemcheckErrorKind.InvalidWrite : MemcheckErrorKind.InvalidRead, headline,
            run.Host.CaptureStack(state), run.Describer.Describe(address)) { Size = (int)size }, headline);
    }

    public override void Finish(Commentary commentary)
    {
        Attached run = Run;
        Report = new MemcheckFinish(run.Host, run.Tracker, run.Leaks, run.Errors, run.ErrorRanges, _options).Write(commentary);
    }

    public override ulong? ClientRequest(GuestState* state, ClientRequest request) => Run.Requests.Answer(state, request);

    public override int ErrorCount => Run.Errors.Contexts.ErrorsFound;

    public void Dispose() => _shadow.Dispose();

    /// <summary>Everything that exists once the tool is attached to a guest; <c>Origins</c> with --track-origins=yes.</summary>
    private sealed record Attached(ToolHost Host, HeapArena Arena, HeapTracker Tracker, StackStore Stacks, ErrorLog Errors,
        AddressDescriber Describer, MemcheckHeapFunctions Functions, LeakSearch Leaks, MemcheckRequests Requests,
        ErrorReportingRanges ErrorRanges, OriginSources? Origins);
}
