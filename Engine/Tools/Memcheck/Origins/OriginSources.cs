using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Tools.Memcheck.Origins;

/// <summary>
/// The contexts origin tags name, as memcheck's execution-context numbers: a heap block's allocation stack (the same
/// stack, the same context), and for stack memory the one code address that allocated it (an instruction moving the
/// stack pointer down, or the function a call entered), shown as a stack of that address alone. Contexts are numbered
/// in the order they are first needed, so the larger of two tags names the more recent.
/// </summary>
/// <param name="stacks">The stacks heap blocks refer to.</param>
/// <param name="describe">The frames of one code address (its inlined calls, then its function).</param>
public sealed class OriginSources(StackStore stacks, Func<ulong, IReadOnlyList<StackFrame>> describe)
{
    private readonly List<Context> _contexts = [];
    private readonly Dictionary<int, int> _byStack = [];
    private readonly Dictionary<ulong, int> _byAddress = [];
    /// <summary>
    /// The last stack tag made for code addresses, by a hash of the address: a return names where it returns to at run
    /// time, on every return, and the dictionary lookup was a tenth of a call-heavy program's time with origins.
    /// Generated code looks here first (<see cref="RecentStacks"/>), so the entries never move.
    /// </summary>
    private readonly RecentStack[] _recentStacks = GC.AllocateArray<RecentStack>(4096, pinned: true);

    /// <summary>The recent stack tags as generated code reads them: (code address, tag) by the address's hash.</summary>
    public unsafe ResultCache RecentStacks =>
        new((nint)Unsafe.AsPointer(ref _recentStacks[0]), _recentStacks.Length);

    /// <summary>A heap block allocated (or grown by realloc) at this stack.</summary>
    public uint Heap(int allocStack) => OriginTags.Make(OfStack(allocStack), OriginKind.Heap);

    /// <summary>Memory a client request (VALGRIND_MAKE_MEM_UNDEFINED) made undefined at this stack.</summary>
    public uint ClientRequest(int requestStack) => OriginTags.Make(OfStack(requestStack), OriginKind.ClientRequest);

    /// <summary>Memory the guest got from the system at this stack (brk), undefined.</summary>
    public uint Unknown(int stack) => OriginTags.Make(OfStack(stack), OriginKind.Unknown);

    /// <summary>Stack memory allocated by the instruction (or the call into the function) at this code address.</summary>
    public uint Stack(ulong codeAddress)
    {
        ref var recent = ref _recentStacks[ResultCache.IndexOf(codeAddress, _recentStacks.Length)];
        if (recent.Tag == OriginTags.None || recent.CodeAddress != codeAddress)
            recent = new RecentStack(codeAddress, OriginTags.Make(Number(_byAddress, codeAddress, null, codeAddress), OriginKind.Stack));
        return (uint)recent.Tag;
    }

    /// <summary>What a tag names, for a report; null for <see cref="OriginTags.None"/>.</summary>
    public ValueOrigin? Describe(uint tag)
    {
        if (tag == OriginTags.None) return null;
        Context context = _contexts[OriginTags.ContextOf(tag)];
        StackTrace stack = context.Stack is int id ? stacks[id] : context.Described ??= new StackTrace(describe(context.CodeAddress));
        return new ValueOrigin(OriginTags.KindOf(tag), stack);
    }

    private int OfStack(int stack) => Number(_byStack, stack, stack, 0);

    /// <summary>The number of a context, made the next one when first asked for.</summary>
    private int Number<TKey>(Dictionary<TKey, int> numbers, TKey key, int? stack, ulong codeAddress) where TKey : notnull
    {
        if (numbers.TryGetValue(key, out int number)) return number;
        number = _contexts.Count;
        _contexts.Add(new Context(stack, codeAddress));
        numbers.Add(key, number);
        return number;
    }

    /// <summary>An entry of <see cref="RecentStacks"/>: two 64-bit words, as <see cref="ResultCache"/> lays them out.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RecentStack(ulong CodeAddress, ulong Tag);

    /// <summary>A stack of the store, or a code address described when first reported.</summary>
    private sealed class Context(int? stack, ulong codeAddress)
    {
        public int? Stack { get; } = stack;
        public ulong CodeAddress { get; } = codeAddress;
        public StackTrace? Described { get; set; }
    }
}

/// <summary>
/// Where an undefined value came from, as memcheck prints it under the error: "Uninitialised value was created by a
/// heap allocation" (or stack allocation, client request; nothing more for <see cref="OriginKind.Unknown"/>), then the
/// stack that made it.
/// </summary>
public sealed record ValueOrigin(OriginKind Kind, StackTrace Stack)
{
    /// <summary>The line under the error (an XML auxwhat) with the stack after it.</summary>
    public AuxLine Details()
    {
        string by = Kind switch
        {
            OriginKind.Heap => " by a heap allocation",
            OriginKind.Stack => " by a stack allocation",
            OriginKind.ClientRequest => " by a client request",
            _ => "",
        };
        return new AuxLine($"Uninitialised value was created{by}", Stack);
    }
}
