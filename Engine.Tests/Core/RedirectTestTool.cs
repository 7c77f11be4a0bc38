using System.Runtime.InteropServices;
using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Guest.LinuxMm;

namespace Memcheck.Engine.Tests.Core;

/// <summary>
/// A tool replacing malloc, calloc, realloc, free, operator new and strlen with helpers that count calls and
/// hand out blocks from an arena it maps in the guest, so a guest's output shows whether the replacements ran; and
/// scaled_sum of a library without a soname (dlopen'ed) with another formula.
/// Stacks are captured in malloc(<see cref="ProbeSize"/>), in strlen of <see cref="ProbeWord"/>, and in frees
/// made while the guest's exit-time cleanups run.
/// </summary>
internal sealed unsafe class RedirectTestTool : Tool
{
    public const ulong ProbeSize = 12345;
    /// <summary>malloc of this size records the caller's thread number and every live thread's.</summary>
    public const ulong ThreadProbeSize = 12346;
    public const string ProbeWord = "probe-word";
    public const string PreloadPath = "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so";
    private const ulong ArenaSize = 1 << 20;

    private ToolHost? _host;
    private ulong _next;
    private readonly Dictionary<ulong, ulong> _sizes = [];

    public ulong ArenaStart { get; private set; }
    public int Mallocs { get; private set; }
    public int News { get; private set; }
    public int Frees { get; private set; }
    public int Strlens { get; private set; }
    public int FreesDuringFreeres { get; private set; }
    public StackTrace? MallocProbeStack { get; private set; }
    public StackTrace? StrlenProbeStack { get; private set; }
    public IReadOnlyList<ToolThread>? ThreadsAtAttach { get; private set; }
    public List<(int Caller, int[] Live)> ThreadProbes { get; } = [];
    public int? FreeresThread { get; private set; }

    public override string Banner => "redirect test tool";
    public override string ReplacementObjectPath => PreloadPath;
    public override bool RunsFreeresAtExit => true;

    public override IReadOnlyList<FunctionReplacement> Replacements { get; } =
    [
        new("libc.so*", "malloc", new IrHelper("test_malloc", &Malloc, 1, isPure: false)),
        new("libc.so*", "calloc", new IrHelper("test_calloc", &Calloc, 2, isPure: false)),
        new("libc.so*", "realloc", new IrHelper("test_realloc", &Realloc, 2, isPure: false)),
        new("libc.so*", "free", new IrHelper("test_free", &Free, 1, isPure: false)),
        new("libstdc++*", "_Znwm", new IrHelper("test_new", &New, 1, isPure: false)),
        new("libc.so*", "strlen", new IrHelper("test_strlen", &Strlen, 1, isPure: false)),
        new("NONE", "scaled_sum", new IrHelper("test_scaled_sum", &ScaledSum, 2, isPure: false)),
    ];

    public override void Attach(ToolHost host)
    {
        _host = host;
        ThreadsAtAttach = host.Threads;
        long arena = host.Space.Mmap(0, ArenaSize, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (arena < 0) throw new InvalidOperationException($"arena mmap failed: {arena}");
        ArenaStart = _next = (ulong)arena;
    }

    public bool InArena(ulong address) => address >= ArenaStart && address < ArenaStart + ArenaSize;

    private int NumberOf(GuestState* state) => _host!.Threads.Single(t => t.State == state).Number;

    private static RedirectTestTool Of(GuestState* state) => (RedirectTestTool)GCHandle.FromIntPtr(state->ToolHandle).Target!;

    private ulong Allocate(ulong size)
    {
        ulong block = _next;
        _next += (size + 15) & ~15UL;
        if (_next > ArenaStart + ArenaSize) return 0;
        _sizes[block] = size;
        return block;
    }

    [UnmanagedCallersOnly]
    private static ulong Malloc(GuestState* state, ulong size, ulong a1, ulong a2, ulong a3)
    {
        var tool = Of(state);
        tool.Mallocs++;
        if (size == ProbeSize) tool.MallocProbeStack = tool._host!.CaptureStack(state);
        if (size == ThreadProbeSize) tool.ThreadProbes.Add((tool.NumberOf(state), [.. tool._host!.Threads.Select(t => t.Number)]));
        return tool.Allocate(size);
    }

    [UnmanagedCallersOnly]
    private static ulong Calloc(GuestState* state, ulong count, ulong size, ulong a2, ulong a3) => Of(state).Allocate(count * size);

    [UnmanagedCallersOnly]
    private static ulong Realloc(GuestState* state, ulong old, ulong size, ulong a2, ulong a3)
    {
        var tool = Of(state);
        ulong block = tool.Allocate(size);
        if (old != 0 && block != 0 && tool._sizes.TryGetValue(old, out ulong oldSize))
            Buffer.MemoryCopy((void*)old, (void*)block, size, Math.Min(size, oldSize));
        return block;
    }

    [UnmanagedCallersOnly]
    private static ulong Free(GuestState* state, ulong block, ulong a1, ulong a2, ulong a3)
    {
        var tool = Of(state);
        tool.Frees++;
        var stack = tool._host!.DebugInfo.Capture(state, 40);
        if (stack.Frames.Any(f => f.Function is "__libc_freeres" or "_vgnU_freeres"))
        {
            tool.FreesDuringFreeres++;
            tool.FreeresThread = tool.NumberOf(state);
        }
        return 0;
    }

    [UnmanagedCallersOnly]
    private static ulong New(GuestState* state, ulong size, ulong a1, ulong a2, ulong a3)
    {
        var tool = Of(state);
        tool.News++;
        return tool.Allocate(size);
    }

    /// <summary>Stands in for scaled_sum of an object without a soname: 100a + b instead of 3(a + b).</summary>
    [UnmanagedCallersOnly]
    private static ulong ScaledSum(GuestState* state, ulong a, ulong b, ulong a2, ulong a3) => (ulong)(100 * (int)a + (int)b);

    [UnmanagedCallersOnly]
    private static ulong Strlen(GuestState* state, ulong s, ulong a1, ulong a2, ulong a3)
    {
        var tool = Of(state);
        tool.Strlens++;
        string text = Marshal.PtrToStringUTF8((nint)s) ?? "";
        if (text == ProbeWord) tool.StrlenProbeStack = tool._host!.CaptureStack(state);
        return (ulong)System.Text.Encoding.UTF8.GetByteCount(text);
    }
}
