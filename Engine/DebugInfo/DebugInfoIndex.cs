using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;

namespace Memcheck.Engine.DebugInfo;

/// <summary>
/// The debug information of everything the guest has mapped from files: the main program, ld.so and
/// each library, found through the address space's mappings so an object's symbols appear when it is
/// mapped (loader, ld.so, dlopen) and go when its last mapping is unmapped. Biases come from the
/// mapping's file offset and the object's PT_LOADs.
/// </summary>
public sealed unsafe class DebugInfoIndex
{
    private readonly GuestAddressSpace _space;
    private readonly string _debugRoot;
    private readonly Dictionary<string, DebugObject?> _objects = new();
    /// <summary>
    /// Descriptions of addresses in mapped objects, kept until something is unmapped: every malloc captures its
    /// stack, and describing each frame anew (symbol, line, inlined calls, demangling) cost more than the malloc.
    /// </summary>
    private readonly Dictionary<ulong, IReadOnlyList<StackFrame>> _described = new();
    private bool _pruneDue;

    /// <summary>--show-below-main: when false, frames below main are named "(below main)" and the trace ends there.</summary>
    public bool ShowBelowMain { get; init; }

    /// <summary>Where the tool's function replacements live; described by the engine, never opened as a file.</summary>
    public ReplacementObject? Replacements { get; set; }
    /// <summary>--read-inline-info: when true, an address inside inlined code describes as one frame per inlined call.</summary>
    public bool ReadInlineInfo { get; init; }

    public DebugInfoIndex(GuestAddressSpace space, string debugRoot = DebugObject.DebugRoot)
    {
        _space = space;
        _debugRoot = debugRoot;
        space.Unmapped += (_, _) =>
        {
            _pruneDue = true;
            Unmaps++;
        };
    }

    /// <summary>How many times guest memory was unmapped: a stack captured before the count last moved may be stale.</summary>
    public int Unmaps { get; private set; }

    /// <summary>
    /// A stack captured earlier as Valgrind prints it now (it keeps code addresses and describes them when it prints):
    /// frames in an object no longer mapped where they were (a dlclose'd library) are described again, "???" where
    /// nothing is mapped. The others stay as captured, the replacements' renamed frames among them.
    /// </summary>
    public StackTrace Refreshed(StackTrace stack)
    {
        var frames = stack.Frames;
        List<StackFrame>? refreshed = null;
        for (int i = 0; i < frames.Count;)
        {
            // One address's frames: its inlined calls, then its function.
            int end = i + 1;
            while (end < frames.Count && frames[end].Address == frames[i].Address) end++;
            ulong address = frames[i].Address;
            bool stale = frames[i].Object is { } obj && Replacements?.Contains(address) != true && Locate(address)?.Path != obj;
            if (stale) refreshed ??= [.. frames.Take(i)];
            if (refreshed is not null)
            {
                if (stale) refreshed.AddRange(DescribeKept(address));
                else for (int k = i; k < end; k++) refreshed.Add(frames[k]);
            }
            i = end;
        }
        return refreshed is null ? stack : new StackTrace(refreshed);
    }

    /// <summary>The object mapped at a guest address and its load bias, when the mapping is an ELF file.</summary>
    public (DebugObject Object, long Bias, string Path)? Locate(ulong address)
    {
        if (_pruneDue) Prune();
        if (Replacements?.Contains(address) == true) return null;
        if (_space.FindMapping(address) is not { IsFile: true, Path: { } path } mapping) return null;
        if (!_objects.TryGetValue(path, out var obj))
        {
            obj = IsElf(path) ? new DebugObject(path, _debugRoot) : null;
            _objects[path] = obj;
        }
        return obj?.Bias(mapping.Start, mapping.Offset) is { } bias ? (obj, bias, path) : null;
    }

    /// <summary>
    /// What Valgrind prints for one frame's address: with inline info, a frame for each inlined call
    /// containing it (the innermost at the address's line, each outer one at the inner call's
    /// call_file:call_line), then the enclosing function at the outermost call's site; else one frame.
    /// </summary>
    public IReadOnlyList<StackFrame> Describe(ulong address)
    {
        if (Replacements is { } replacements && replacements.Contains(address)) return [replacements.Describe(address)];
        if (Locate(address) is not var (obj, bias, path)) return [new StackFrame(address, null, null, 0, null)];
        ulong linkAddress = address - (ulong)bias;
        string? symbol = obj.FunctionAt(linkAddress)?.Name;
        string? function = symbol is null ? null : Demangler.Demangle(symbol);
        if (!ShowBelowMain && function is not null && FunctionKinds.IsBelowMain(function)) symbol = function = FunctionKinds.BelowMainName;
        var line = obj.Lines?.Find(linkAddress);
        string? file = line?.File;
        int lineNumber = line?.Line ?? 0;
        var frames = new List<StackFrame>(1);
        if (ReadInlineInfo && obj.Inlines is { } inlines)
        {
            foreach (var call in inlines.At(linkAddress))
            {
                frames.Add(new StackFrame(address, call.Function, file, lineNumber, path));
                (file, lineNumber) = (call.CallFile, call.CallLine);
            }
        }
        frames.Add(new StackFrame(address, function, file, lineNumber, path) { SymbolName = symbol });
        return frames;
    }

    /// <summary>
    /// The data symbol holding a guest address and the address's offset in it; a .bss past the file's pages is
    /// anonymous memory, so the file mapping just below it names the object.
    /// </summary>
    public (string Name, ulong Offset)? DataSymbol(ulong address)
    {
        var located = Locate(address);
        if (located is null && _space.Mappings.LastOrDefault(m => m.End <= address && m.IsFile) is { } below)
            located = Locate(below.End - 1);
        if (located is not var (obj, bias, _) || obj.DataAt(address - (ulong)bias) is not { } symbol) return null;
        return (symbol.Name, address - (ulong)bias - symbol.Address);
    }

    /// <summary>
    /// The frame of a thread's stack that holds a stack address, as Valgrind names it under the address:
    /// the innermost frame whose stack pointer is at or below it while its caller's is above it, and the
    /// function that frame runs, described at its entry ("created by main (free_stack.c:5)").
    /// </summary>
    public (int Number, StackFrame CreatedBy)? FrameHolding(GuestState* state, ulong address, int maxFrames)
    {
        var frames = new Unwinder(this, ReadWord).WalkFrames(state, maxFrames + 1).ToList();
        for (int f = 0; f + 1 < frames.Count; f++)
        {
            if (frames[f].Sp is not { } sp || frames[f + 1].Sp is not { } callerSp) return null;
            if (sp <= address && address < callerSp) return (f, Describe(FunctionEntry(frames[f].Address))[^1]);
        }
        return null;
    }

    private ulong FunctionEntry(ulong address) =>
        Locate(address) is var (obj, bias, _) && obj.FunctionAt(address - (ulong)bias) is { } sym ? sym.Address + (ulong)bias : address;

    /// <summary>
    /// The guest's current stack: at most <paramref name="maxFrames"/> addresses (Valgrind counts
    /// --num-callers in addresses, each expanding into its inlined frames), ending as Valgrind ends.
    /// </summary>
    public StackTrace Capture(GuestState* state, int maxFrames) => new([.. Walk(state, maxFrames, DescribeKept).SelectMany(frames => frames)]);

    private IReadOnlyList<StackFrame> DescribeKept(ulong address)
    {
        if (_pruneDue) Prune();
        if (_described.TryGetValue(address, out var frames)) return frames;
        frames = Describe(address);
        // An address in no object may be mapped later; only what names an object stays valid until an unmap.
        if (frames[^1].Object is not null) _described[address] = frames;
        return frames;
    }

    /// <summary>
    /// The stack <see cref="Capture"/> takes, lazily and one entry per address: the address's frames as
    /// <paramref name="describe"/> gives them (<see cref="Describe"/>, or a cache of it). A caller that needs only the
    /// top of the stack unwinds no further.
    /// </summary>
    public IEnumerable<IReadOnlyList<StackFrame>> Walk(GuestState* state, int maxFrames, Func<ulong, IReadOnlyList<StackFrame>> describe) =>
        EndAtMain(new Unwinder(this, ReadWord).Walk(state, maxFrames), describe);

    private IEnumerable<IReadOnlyList<StackFrame>> EndAtMain(IEnumerable<ulong> addresses, Func<ulong, IReadOnlyList<StackFrame>> describe)
    {
        foreach (ulong address in addresses)
        {
            var described = describe(address);
            yield return described;
            if (!ShowBelowMain && described[^1].Function is { } f && (f == FunctionKinds.Main || f == FunctionKinds.BelowMainName)) yield break;
        }
    }

    /// <summary>A guest word, or null where the guest owns no readable memory.</summary>
    internal ulong? ReadWord(ulong address) =>
        address <= ulong.MaxValue - 8 && _space.Pages.CanRead(address, 8) ? *(ulong*)address : null;

    private void Prune()
    {
        _pruneDue = false;
        _described.Clear();
        var mapped = _space.Mappings.Where(m => m.IsFile).Select(m => m.Path!).ToHashSet();
        foreach (var path in _objects.Keys.Where(p => !mapped.Contains(p)).ToList()) _objects.Remove(path);
    }

    /// <summary>Whether the file is an ELF64 object, the only kind an x86-64 guest maps as code.</summary>
    private static bool IsElf(string path)
    {
        Span<byte> magic = stackalloc byte[5];
        try
        {
            using var f = File.OpenRead(path);
            return f.Read(magic) == 5 && magic.SequenceEqual((ReadOnlySpan<byte>)[0x7f, (byte)'E', (byte)'L', (byte)'F', 2]);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}

/// <summary>The function names Valgrind treats specially when it ends a stack trace.</summary>
public static class FunctionKinds
{
    public const string Main = "main";
    public const string BelowMainName = "(below main)";

    private static readonly HashSet<string> BelowMain =
        ["__libc_start_main", "__libc_start_call_main", "generic_start_main", "generic_start_main.isra.0"];

    public static bool IsBelowMain(string function) => BelowMain.Contains(function);
}
