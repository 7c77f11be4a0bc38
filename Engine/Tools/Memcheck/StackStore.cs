using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>
/// The stacks heap blocks refer to by number (alloc and free stacks), kept for their reports. Like Valgrind's
/// ExeContexts, equal stacks (the same code addresses) share one number, so blocks allocated at the same place
/// fall in one loss record.
/// </summary>
public sealed class StackStore
{
    private readonly List<StackTrace> _stacks = [];
    private readonly Dictionary<string, int> _ids = [];

    public int Add(StackTrace stack)
    {
        string key = string.Join(',', stack.Frames.Select(f => f.Address));
        if (_ids.TryGetValue(key, out int id)) return id;
        _stacks.Add(stack);
        return _ids[key] = _stacks.Count - 1;
    }

    public StackTrace this[int id] => _stacks[id];

    /// <summary>The code addresses of a stack, innermost first (what --leak-resolution compares).</summary>
    public IReadOnlyList<ulong> Frames(int id) => [.. _stacks[id].Frames.Select(f => f.Address)];
}
