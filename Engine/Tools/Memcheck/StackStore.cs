using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>The stacks heap blocks refer to by number (alloc and free stacks), kept for their reports.</summary>
public sealed class StackStore
{
    private readonly List<StackTrace> _stacks = [];

    public int Add(StackTrace stack)
    {
        _stacks.Add(stack);
        return _stacks.Count - 1;
    }

    public StackTrace this[int id] => _stacks[id];

    /// <summary>The code addresses of a stack, innermost first (what --leak-resolution compares).</summary>
    public IReadOnlyList<ulong> Frames(int id) => [.. _stacks[id].Frames.Select(f => f.Address)];
}
