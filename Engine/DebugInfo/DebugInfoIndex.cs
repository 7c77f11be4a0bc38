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
    private bool _pruneDue;

    /// <summary>--show-below-main: when false, frames below main are named "(below main)" and the trace ends there.</summary>
    public bool ShowBelowMain { get; init; }

    /// <summary>Where the tool's function replacements live; described by the engine, never opened as a file.</summary>
    public ReplacementObject? Replacements { get; set; }

    public DebugInfoIndex(GuestAddressSpace space, string debugRoot = DebugObject.DebugRoot)
    {
        _space = space;
        _debugRoot = debugRoot;
        space.Unmapped += (_, _) => _pruneDue = true;
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

    /// <summary>What Valgrind prints for one frame's address.</summary>
    public StackFrame Describe(ulong address)
    {
        if (Replacements is { } replacements && replacements.Contains(address)) return replacements.Describe(address);
        if (Locate(address) is not var (obj, bias, path)) return new StackFrame(address, null, null, 0, null);
        ulong linkAddress = address - (ulong)bias;
        string? function = obj.FunctionAt(linkAddress) is { } sym ? Demangler.Demangle(sym.Name) : null;
        if (!ShowBelowMain && function is not null && FunctionKinds.IsBelowMain(function)) function = FunctionKinds.BelowMainName;
        var line = obj.Lines?.Find(linkAddress);
        return new StackFrame(address, function, line?.File, line?.Line ?? 0, path);
    }

    /// <summary>The guest's current stack: at most <paramref name="maxFrames"/> frames, ending as Valgrind ends.</summary>
    public StackTrace Capture(GuestState* state, int maxFrames)
    {
        var frames = new List<StackFrame>();
        foreach (ulong address in new Unwinder(this, ReadWord).Walk(state, maxFrames))
        {
            var frame = Describe(address);
            frames.Add(frame);
            if (!ShowBelowMain && frame.Function is { } f && (f == FunctionKinds.Main || f == FunctionKinds.BelowMainName)) break;
        }
        return new StackTrace(frames);
    }

    /// <summary>A guest word, or null where the guest owns no readable memory.</summary>
    internal ulong? ReadWord(ulong address) =>
        address <= ulong.MaxValue - 8 && _space.Pages.CanRead(address, 8) ? *(ulong*)address : null;

    private void Prune()
    {
        _pruneDue = false;
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
