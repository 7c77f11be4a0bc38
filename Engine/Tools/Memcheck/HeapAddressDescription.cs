using Memcheck.Engine.Tools.Memcheck.Reporting;

namespace Memcheck.Engine.Tools.Memcheck;

/// <summary>Where an address lies relative to a heap block, as Valgrind words it in an error's address line.</summary>
public sealed record HeapAddressDescription(ulong Address, HeapBlock Block, bool RecentlyReallocated)
{
    public string Headline
    {
        get
        {
            (ulong distance, string where) = Address < Block.Address ? (Block.Address - Address, "before")
                : Address < Block.End ? (Address - Block.Address, "inside")
                : (Address - Block.End, "after");
            string block = RecentlyReallocated ? "recently re-allocated block" : "block";
            string state = Block.IsFreed ? "free'd" : "alloc'd";
            return $"Address 0x{Address:x} is {ValgrindNumber.Format(distance)} bytes {where} a {block} of size {ValgrindNumber.Format(Block.Size)} {state}";
        }
    }
}
