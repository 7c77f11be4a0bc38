using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// The stacks heap blocks refer to by number (alloc and free stacks), kept for their reports. Like Valgrind's
/// ExeContexts, equal stacks (the same code addresses) share one number, so blocks allocated at the same place
/// fall in one loss record. A stack read after guest memory was unmapped is described again where its objects went
/// away, as Valgrind, which describes its stacks only when it prints them, shows it.
/// </summary>
/// <param name="debugInfo">What describes the stacks; none keeps them as added.</param>
public sealed class StackStore(DebugInfoIndex? debugInfo = null)
{
    private readonly List<(StackTrace Stack, int Unmaps)> _stacks = [];
    private readonly Dictionary<string, int> _ids = [];

    public int Add(StackTrace stack)
    {
        string key = string.Join(',', stack.Frames.Select(f => f.Address));
        if (_ids.TryGetValue(key, out int id)) return id;
        _stacks.Add((stack, debugInfo?.Unmaps ?? 0));
        return _ids[key] = _stacks.Count - 1;
    }

    public StackTrace this[int id]
    {
        get
        {
            var (stack, unmaps) = _stacks[id];
            if (debugInfo is null || unmaps == debugInfo.Unmaps) return stack;
            stack = debugInfo.Refreshed(stack);
            _stacks[id] = (stack, debugInfo.Unmaps);
            return stack;
        }
    }

    /// <summary>The code addresses of a stack, innermost first (what --leak-resolution compares).</summary>
    public IReadOnlyList<ulong> Frames(int id) => [.. _stacks[id].Stack.Frames.Select(f => f.Address)];
}
