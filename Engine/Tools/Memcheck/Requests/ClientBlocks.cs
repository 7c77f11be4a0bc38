using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tools.Memcheck.Errors;

namespace Memcheck.Engine.Tools.Memcheck.Requests;

/// <summary>
/// Memory the client described with VALGRIND_CREATE_BLOCK: an address inside one is described by it ("is 2 bytes
/// inside a my pool chunk of size 16 client-defined", with the stack that created it) until VALGRIND_DISCARD.
/// </summary>
public sealed class ClientBlocks
{
    private sealed record Block(ulong Start, ulong Length, string Description, StackTrace Created);

    private readonly List<Block?> _blocks = [];

    /// <summary>The new block's handle.</summary>
    public int Create(ulong start, ulong length, string description, StackTrace created)
    {
        _blocks.Add(new Block(start, length, description, created));
        return _blocks.Count - 1;
    }

    /// <summary>Forgets the block; false for a handle that names none.</summary>
    public bool Discard(ulong handle)
    {
        if (handle >= (ulong)_blocks.Count || _blocks[(int)handle] is null) return false;
        _blocks[(int)handle] = null;
        return true;
    }

    public AddressDescription? Describe(ulong address) =>
        _blocks.LastOrDefault(b => b is not null && address >= b.Start && address - b.Start < b.Length) is { } block
            ? new AddressDescription([$"Address 0x{address:x} is {address - block.Start} bytes inside a {block.Description} of size {block.Length} client-defined"], block.Created)
            : null;
}
