using Memcheck.Engine.Core;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tools.Memcheck.Errors;

namespace Memcheck.Engine.Tools.Memcheck.Replacements;

/// <summary>
/// What memcheck's malloc-family replacements do, as Valgrind's do: fishy (possibly negative) sizes refused with an
/// error, frees of anything but a live block reported as invalid, frees by the wrong family reported as mismatched,
/// realloc always moving the block. Each call's stack starts in the replacement, so errors and blocks show it on top.
/// </summary>
public sealed unsafe class HeapCalls(ToolHost host, HeapTracker heap, ShadowMemory shadow, StackStore stacks, ErrorLog errors,
    AddressDescriber describer, MemcheckOptions options, bool definedOnAllocation)
{
    private const ulong PageSize = 4096;
    private const ulong MinimumAlignment = 16;
    private const ulong Einval = 22, Enomem = 12;

    public ulong Allocate(GuestState* state, ulong size, ulong alignment, AllocKind kind, string function,
        ReplacementFrames frames = default)
    {
        if (Fishy(state, function, "size", size, frames)) return 0;
        return Place(state, size, alignment, kind, zeroed: false, frames);
    }

    public ulong Calloc(GuestState* state, ulong count, ulong size)
    {
        // An overflowing product is refused quietly before any other check, as Valgrind's calloc does.
        if (size != 0 && count > ulong.MaxValue / size) return 0;
        if (Fishy(state, "calloc", "nmemb", count) || Fishy(state, "calloc", "size", size)) return 0;
        return Place(state, count * size, heap.Options.DefaultAlignment, AllocKind.Malloc, zeroed: true);
    }

    /// <summary>free, delete and delete[]: a null pointer is ignored (and not counted).</summary>
    public void Free(GuestState* state, ulong address, AllocKind expected, ReplacementFrames frames = default)
    {
        if (address == 0) return;
        int stack = Capture(state, frames);
        if (heap.FindLive(address) is not { } block)
        {
            heap.CountRejectedFree();
            ReportInvalidFree(stack, address);
            return;
        }
        if (options.ShowMismatchedFrees && block.Kind != expected)
            Report(MemcheckErrorKind.MismatchedFree, "Mismatched free() / delete / delete []", stack,
                new AddressDescription([new HeapAddressDescription(address, block, false).Headline], stacks[block.AllocStack]));
        Retire(block, stack);
    }

    /// <summary>realloc: of null, a malloc; to size 0, a free returning null; else always a new block.</summary>
    public ulong Realloc(GuestState* state, ulong address, ulong size)
    {
        // Valgrind's realloc jumps to malloc (its frame then reads malloc) and calls free.
        if (address == 0)
            return Allocate(state, size, heap.Options.DefaultAlignment, AllocKind.Malloc, "malloc", new ReplacementFrames(ShownAs: "malloc"));
        if (size == 0)
        {
            Free(state, address, AllocKind.Malloc, new ReplacementFrames(Calls: "free"));
            return 0;
        }
        if (Fishy(state, "realloc", "size", size)) return 0;
        int stack = Capture(state, default);
        if (heap.FindLive(address) is not { } old)
        {
            heap.CountRejectedRealloc(size);
            ReportInvalidFree(stack, address);
            return 0;
        }
        if (options.FreeFill is byte fill) FillFreed(old, fill);
        HeapBlock? block = heap.Reallocate(old, size, stack);
        if (block is null) return 0;
        MakeDefinedIfUntracked(block.Address, block.Size);
        return block.Address;
    }

    /// <summary>
    /// memalign, and what Valgrind builds on it (aligned_alloc and valloc show as memalign, posix_memalign calls it):
    /// the alignment rounded up to a power of two of at least 16.
    /// </summary>
    public ulong Memalign(GuestState* state, ulong alignment, ulong size, ReplacementFrames frames = default)
    {
        if (Fishy(state, "memalign", "size", size, frames)) return 0;
        ulong align = MinimumAlignment;
        while (align < alignment && align != 0) align <<= 1;
        if (align == 0) return 0;
        return Place(state, size, align, AllocKind.Malloc, zeroed: false, frames);
    }

    public ulong Valloc(GuestState* state, ulong size) => Memalign(state, PageSize, size, new ReplacementFrames(ShownAs: "memalign"));

    /// <summary>posix_memalign: EINVAL unless the alignment is a power of two multiple of the pointer size.</summary>
    public ulong PosixMemalign(GuestState* state, ulong result, ulong alignment, ulong size)
    {
        if (alignment == 0 || alignment % 8 != 0 || (alignment & (alignment - 1)) != 0) return Einval;
        ulong block = Memalign(state, alignment, size, new ReplacementFrames(Calls: "memalign"));
        if (block == 0) return Enomem;
        if (host.Space.Pages.CanWrite(result, 8)) *(ulong*)result = block;
        return 0;
    }

    /// <summary>VALGRIND_MALLOCLIKE_BLOCK: the client's allocator placed a block; its stack is the request's.</summary>
    public void Malloclike(GuestState* state, ulong address, ulong size, ulong redzone, bool zeroed) =>
        heap.Register(address, size, redzone, zeroed, Capture(state, default));

    /// <summary>VALGRIND_RESIZEINPLACE_BLOCK: a live block changes size where it is; anything else is an invalid free.</summary>
    public void ResizeInPlace(GuestState* state, ulong address, ulong newSize)
    {
        int stack = Capture(state, default);
        if (heap.FindLive(address) is { } block) heap.Resize(block, newSize, stack);
        else ReportInvalidFree(stack, address);
    }

    public ulong UsableSize(ulong address) => address != 0 && heap.FindLive(address) is { } block ? block.Size : 0;

    private ulong Place(GuestState* state, ulong size, ulong alignment, AllocKind kind, bool zeroed, ReplacementFrames frames = default)
    {
        int stack = Capture(state, frames);
        HeapBlock? block = heap.Allocate(size, alignment, kind, stack, zeroed);
        if (block is null) return 0;
        if (!zeroed && options.MallocFill is byte fill) new Span<byte>((void*)block.Address, checked((int)size)).Fill(fill);
        MakeDefinedIfUntracked(block.Address, size);
        return block.Address;
    }

    private void Retire(HeapBlock block, int stack)
    {
        if (options.FreeFill is byte fill) FillFreed(block, fill);
        heap.Free(block, stack);
    }

    private static void FillFreed(HeapBlock block, byte fill) =>
        new Span<byte>((void*)block.Address, checked((int)block.Size)).Fill(fill);

    /// <summary>
    /// Without definedness instrumentation nothing would ever define a block's bytes, and the leak check only follows
    /// defined words; so blocks start defined until V bits are tracked.
    /// </summary>
    private void MakeDefinedIfUntracked(ulong address, ulong size)
    {
        if (definedOnAllocation) shadow.MakeDefined(address, size);
    }

    /// <summary>Valgrind's check for a size that is negative as a signed number: report it and refuse the call.</summary>
    private bool Fishy(GuestState* state, string function, string argument, ulong value, ReplacementFrames frames = default)
    {
        if ((long)value >= 0) return false;
        Report(MemcheckErrorKind.FishyValue,
            $"Argument '{argument}' of function {function} has a fishy (possibly negative) value: {(long)value}",
            Capture(state, frames), null, key: $"fishy {function} {argument}", parameter: $"{function}({argument})");
        return true;
    }

    /// <summary>The guest's stack in the replacement, its top frames shaped as Valgrind's replacement shows them.</summary>
    private int Capture(GuestState* state, ReplacementFrames frames)
    {
        StackTrace stack = host.CaptureStack(state);
        StackFrame top = stack.Frames[0];
        if (frames.ShownAs is string name)
            stack = new StackTrace([top.Renamed(name), .. stack.Frames.Skip(1)]);
        else if (frames.Calls is string callee)
            stack = new StackTrace([top.Renamed(callee), .. stack.Frames.Take(host.NumCallers - 1)]);
        return stacks.Add(stack);
    }

    private void ReportInvalidFree(int stack, ulong address) =>
        Report(MemcheckErrorKind.InvalidFree, "Invalid free() / delete / delete[] / realloc()", stack, describer.Describe(address));

    private void Report(MemcheckErrorKind kind, string headline, int stack, AddressDescription? address, string? key = null,
        string? parameter = null) =>
        errors.Report(new MemcheckError(kind, headline, stacks[stack], address) { Parameter = parameter }, key ?? kind.ToString());
}

/// <summary>
/// How a replacement appears at the top of a stack when Valgrind's own replacement reaches another: by a jump, so
/// its frame carries the other's name (<paramref name="ShownAs"/>), or by a call, so the other's frame comes first
/// (<paramref name="Calls"/>). The default is the replacement's own frame alone.
/// </summary>
public readonly record struct ReplacementFrames(string? ShownAs = null, string? Calls = null);
