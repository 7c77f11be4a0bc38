using Memcheck.Engine.Core;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Tools.Memcheck.Requests;

namespace Memcheck.Engine.Tools.Memcheck.Errors;

/// <summary>
/// Says where an address lies, in Valgrind's order: a block the client described (VALGRIND_CREATE_BLOCK), a heap
/// block (live or recently freed, with its stacks), a thread's stack, a data symbol, the program break, else "not
/// stack'd, malloc'd or (recently) free'd".
/// </summary>
public sealed class AddressDescriber(ToolHost host, HeapTracker heap, StackStore stacks, ClientBlocks clientBlocks)
{
    public unsafe AddressDescription Describe(ulong address)
    {
        if (clientBlocks.Describe(address) is { } described) return described;
        if (heap.Describe(address) is { } inHeap)
        {
            HeapBlock block = inHeap.Block;
            return block.FreeStack is int freed
                ? new AddressDescription([inHeap.Headline], stacks[freed], stacks[block.AllocStack])
                : new AddressDescription([inHeap.Headline], stacks[block.AllocStack]);
        }
        GuestMapping? mapping = host.Space.FindMapping(address);
        if (mapping is not null)
            foreach (ToolThread thread in host.Threads)
                if (mapping.Start <= thread.State->Gpr[4] && thread.State->Gpr[4] < mapping.End)
                    return new AddressDescription(OnStack(address, thread));
        if (host.DebugInfo.DataSymbol(address) is var (name, offset))
            return new AddressDescription([$"Address 0x{address:x} is {offset} bytes inside data symbol \"{name}\""]);
        if (InBreakSegment(address) is { } inBreak) return new AddressDescription([inBreak]);
        return new AddressDescription([$"Address 0x{address:x} is not stack'd, malloc'd or (recently) free'd"]);
    }

    /// <summary>An address in the pages of the program break, as Valgrind names its "brk data segment".</summary>
    private string? InBreakSegment(ulong address)
    {
        ulong start = host.Space.BrkStart, limit = host.Space.CurrentBrk;
        if (address < start || address >= PageMap.PageUp(limit)) return null;
        return address < limit
            ? $"Address 0x{address:x} is in the brk data segment 0x{start:x}-0x{limit - 1:x}"
            : $"Address 0x{address:x} is {address - limit} bytes after the brk data segment limit 0x{limit:x}";
    }

    private unsafe string[] OnStack(ulong address, ToolThread thread)
    {
        string headline = $"Address 0x{address:x} is on thread {thread.Number}'s stack";
        if (host.DebugInfo.FrameHolding(thread.State, address, host.NumCallers) is not var (number, createdBy)) return [headline];
        string where = createdBy.File is { } file ? $" ({Path.GetFileName(file)}:{createdBy.Line})" : "";
        return [headline, $"in frame #{number}, created by {createdBy.Function ?? "???"}{where}"];
    }
}
