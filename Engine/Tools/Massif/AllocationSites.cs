using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Tools.Massif;

/// <summary>
/// Where an allocation happened, as massif files it in the heap tree: the guest's stack without the allocation
/// functions on top (the replacement the guest called, then every frame of a function massif counts as one: its
/// defaults and --alloc-fn), cut to --depth code locations. An allocation whose first remaining frame is in an
/// --ignore-fn function has no site: massif leaves it out.
/// </summary>
internal sealed unsafe class AllocationSites
{
    /// <summary>Valgrind 3.19 massif's allocation functions (names as demangled).</summary>
    private static readonly string[] DefaultAllocFns =
    [
        "malloc", "__builtin_new", "operator new(unsigned)", "operator new(unsigned long)", "__builtin_vec_new",
        "operator new[](unsigned)", "operator new[](unsigned long)", "calloc", "realloc", "memalign", "posix_memalign",
        "valloc", "operator new(unsigned, std::nothrow_t const&)", "operator new[](unsigned, std::nothrow_t const&)",
        "operator new(unsigned long, std::nothrow_t const&)", "operator new[](unsigned long, std::nothrow_t const&)",
    ];

    private readonly DebugInfoIndex _debugInfo;
    private readonly HeapTree _tree;
    private readonly int _depth;
    private readonly HashSet<string> _allocFns;
    private readonly HashSet<string> _ignoreFns;
    /// <summary>Each address's description, made once: stacks repeat the same addresses all run long.</summary>
    private readonly Dictionary<ulong, IReadOnlyList<StackFrame>> _described = [];

    public AllocationSites(ToolHost host, MassifOptions options, HeapTree tree)
    {
        _debugInfo = host.DebugInfo;
        _tree = tree;
        _depth = options.Depth;
        _allocFns = [.. DefaultAllocFns, .. options.AllocFns];
        _ignoreFns = [.. options.IgnoreFns];
        // Unmapped code may come back as other code at the same addresses.
        host.Space.Unmapped += (_, _) => _described.Clear();
    }

    /// <summary>The tree node of an allocation made now on the thread with <paramref name="state"/>, or null when ignored.</summary>
    public HeapTreeNode? Site(GuestState* state)
    {
        HeapTreeNode node = _tree.Root;
        int depth = 0;
        bool inAllocationFunctions = true;
        foreach (var frames in _debugInfo.Walk(state, _depth + _allocFns.Count + 1, Describe))
        {
            if (inAllocationFunctions)
            {
                if (IsAllocationFunction(frames)) continue;
                inAllocationFunctions = false;
                if (frames[^1].Function is { } function && _ignoreFns.Contains(function)) return null;
            }
            node = node.Child(frames[0].Address, frames);
            if (++depth == _depth) break;
        }
        return node;
    }

    /// <summary>The node for memory that was there before the guest ran: no stack, so "0x0: ???".</summary>
    public HeapTreeNode Startup => _tree.Root.Child(0, [new StackFrame(0, null, null, 0, null)]);

    private bool IsAllocationFunction(IReadOnlyList<StackFrame> frames) =>
        _debugInfo.Replacements?.Contains(frames[0].Address) == true || frames[^1].Function is { } f && _allocFns.Contains(f);

    private IReadOnlyList<StackFrame> Describe(ulong address)
    {
        if (!_described.TryGetValue(address, out var frames)) _described[address] = frames = _debugInfo.Describe(address);
        return frames;
    }
}
