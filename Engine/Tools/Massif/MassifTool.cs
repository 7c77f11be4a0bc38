using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Options;
using Memcheck.Engine.Os;
using Memcheck.Engine.Tools.Heap;

namespace Memcheck.Engine.Tools.Massif;

/// <summary>
/// Valgrind's massif: a heap profiler. It replaces the malloc family with its own heap and files every block under the
/// stack that allocated it; with --stacks=yes it also counts the guest's stacks, and with --pages-as-heap=yes it counts
/// mapped pages instead of blocks. Snapshots of the sizes (and of the tree, for detailed ones) go to massif.out.&lt;pid&gt;
/// at exit, in the format ms_print reads; the commentary says nothing more than the header.
/// </summary>
public sealed unsafe class MassifTool : Tool, IHeapTool
{
    private readonly SessionOptions _options;
    private readonly StackPointerTracking _stackTracking = new(StackUsage.Events);
    /// <summary>Where a relative --massif-out-file goes: Valgrind names it from the directory it started in.</summary>
    private readonly string _startDirectory = Environment.CurrentDirectory;
    private Attached? _run;

    public MassifTool(SessionOptions options)
    {
        _options = options;
        // With --pages-as-heap=yes Valgrind leaves malloc to the guest's own allocator and profiles its pages.
        Replacements = options.Massif.PagesAsHeap ? [] : HeapReplacements.All();
    }

    public override string Banner => "Massif, a heap profiler";
    public override string ReplacementObjectPath => "/usr/libexec/valgrind/vgpreload_massif-amd64-linux.so";
    public override IReadOnlyList<FunctionReplacement> Replacements { get; }
    public override bool RunsFreeresAtExit => true;
    public override bool ReadsInlineInfo => true;

    public IReplacedHeap ReplacedHeap => Run.Heap;

    /// <summary>What the run measured, once <see cref="Finish"/> has written it.</summary>
    public MassifReport? Report { get; private set; }

    internal MassifProfile Profile => Run.Profile;

    private Attached Run => _run ?? throw new InvalidOperationException("massif is not attached to a guest");

    private MassifOptions Massif => _options.Massif;

    /// <summary>Massif's default time unit is instructions executed.</summary>
    public override bool CountsInstructions => Massif.TimeUnit == MassifTimeUnit.Instructions;

    public override void Attach(ToolHost host)
    {
        var profile = new MassifProfile(Massif, () => host.InstructionsExecuted);
        var sites = new AllocationSites(host, Massif, profile.Tree);
        var heap = new MassifHeap(host, new HeapArena(host.Space), profile, Massif.Heap ? sites : null,
            (ulong)_options.Alignment, (ulong)Massif.HeapAdmin);
        PageProfile? pages = null;
        if (Massif.PagesAsHeap)
            pages = new PageProfile(host, profile, sites, host.Threads[0].State->Gpr[4]);
        else
            profile.Changed();
        _run = new Attached(profile, heap, pages);
    }

    public override Superblock Instrument(Superblock sb) => Massif.Stacks ? _stackTracking.Instrument(sb) : sb;

    public override void BeforeSyscall(GuestState* state, SyscallEntry? entry) => Run.Pages?.BeforeSyscall(state, entry);

    public override void AfterSyscall(GuestState* state, SyscallEntry? entry, long result) => Run.Pages?.AfterSyscall();

    public override void Finish(Commentary commentary)
    {
        if (!commentary.Quiet) commentary.Line();
        var snapshots = Run.Profile.Series.Snapshots.Select((s, i) => s.ToSnapshot(i)).ToList();
        string command = string.Join(' ', [_options.CommandName ?? _options.Program, .. _options.Arguments]);
        string path = Path.Combine(_startDirectory, OutputFileName.Expand(Massif.MassifOutFile, commentary.Pid));
        var report = new MassifReport(command, _options.ToolArguments, Massif.TimeUnit, snapshots, path);
        try
        {
            using var file = new StreamWriter(path);
            MassifOutFile.Write(file, report, Massif.Threshold);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            commentary.Line($"Error: can not open xtree output file `{path}'");
            report = report with { OutputFile = null };
        }
        Report = report;
    }

    /// <summary>Everything that exists once the tool is attached to a guest.</summary>
    private sealed record Attached(MassifProfile Profile, MassifHeap Heap, PageProfile? Pages);
}
