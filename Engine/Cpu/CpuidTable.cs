using System.Text;

namespace Memcheck.Engine.Cpu;

/// <summary>
/// What the guest's cpuid returns: a fixed, honest x86-64-v2 baseline (SSE..SSE4.2, POPCNT,
/// CMPXCHG16B, LAHF; no AVX, XSAVE/OSXSAVE, RDRAND, BMI), so glibc's ifunc resolvers pick code
/// the lifter covers. The leaves are the ones glibc's init_cpu_features and cacheinfo read.
/// </summary>
public static class CpuidTable
{
    public readonly record struct Leaf(uint Eax, uint Ebx, uint Ecx, uint Edx);

    public const uint MaxBasicLeaf = 0xD;
    public const uint MaxExtendedLeaf = 0x80000008;
    private const string Brand = "Memcheck x86-64-v2 virtual CPU";

    // Leaf 1 ECX: SSE3(0) SSSE3(9) CX16(13) SSE4.1(19) SSE4.2(20) POPCNT(23).
    private const uint Leaf1Ecx = 1u << 0 | 1u << 9 | 1u << 13 | 1u << 19 | 1u << 20 | 1u << 23;
    // Leaf 1 EDX: FPU(0) TSC(4) CX8(8) CMOV(15) CLFSH(19) MMX(23) FXSR(24) SSE(25) SSE2(26).
    private const uint Leaf1Edx = 1u << 0 | 1u << 4 | 1u << 8 | 1u << 15 | 1u << 19 | 1u << 23 | 1u << 24 | 1u << 25 | 1u << 26;

    /// <summary>(leaf, subleaf or null when the leaf has none) -> registers.</summary>
    private static readonly Dictionary<(uint Leaf, uint? Subleaf), Leaf> Leaves = Build();

    private static Dictionary<(uint, uint?), Leaf> Build()
    {
        var t = new Dictionary<(uint, uint?), Leaf>
        {
            // "GenuineIntel" in EBX, EDX, ECX.
            [(0, null)] = new(MaxBasicLeaf, 0x756E6547, 0x6C65746E, 0x49656E69),
            // Family 6 model 0x2C stepping 2; 64-byte clflush line, one logical processor.
            [(1, null)] = new(0x000206C2, 0x00010800, Leaf1Ecx, Leaf1Edx),
            // One round; descriptor 0xFF: "read the caches from leaf 4".
            [(2, null)] = new(0x0000FF01, 0, 0, 0),
            // Deterministic cache parameters: EAX type|level|self-init, EBX ways-1<<22|line-1, ECX sets-1.
            [(4, 0)] = new(0x121, 0x01C0003F, 63, 0),      // L1d 32 KiB, 8-way
            [(4, 1)] = new(0x122, 0x01C0003F, 63, 0),      // L1i 32 KiB, 8-way
            [(4, 2)] = new(0x143, 0x01C0003F, 511, 0),     // L2 256 KiB, 8-way
            [(4, 3)] = new(0x163, 0x03C0003F, 8191, 2),    // L3 8 MiB, 16-way, inclusive
            [(4, 4)] = new(0, 0, 0, 0),
            [(7, 0)] = new(0, 0, 0, 0),
            // Topology: one thread per core, one core.
            [(0xB, 0)] = new(0, 1, 0x100, 0),
            [(0xB, 1)] = new(0, 1, 0x201, 0),
            [(0xB, 2)] = new(0, 0, 2, 0),
            [(0xD, 0)] = new(0, 0, 0, 0),
            [(0xD, 1)] = new(0, 0, 0, 0),
            [(0x80000000, null)] = new(MaxExtendedLeaf, 0, 0, 0),
            // ECX LAHF/SAHF(0); EDX SYSCALL(11) NX(20) LM(29).
            [(0x80000001, null)] = new(0, 0, 1, 1u << 11 | 1u << 20 | 1u << 29),
            [(0x80000005, null)] = new(0, 0, 0, 0),
            // L2: 256 KiB, 8-way (code 6), 64-byte lines.
            [(0x80000006, null)] = new(0, 0, 0x01006040, 0),
            // Invariant TSC.
            [(0x80000007, null)] = new(0, 0, 0, 0x100),
            // 48 physical and 48 virtual address bits.
            [(0x80000008, null)] = new(0x3030, 0, 0, 0),
        };
        var brand = Encoding.ASCII.GetBytes(Brand.PadRight(47, ' ') + '\0');
        for (int i = 0; i < 3; i++)
        {
            uint Word(int w) => BitConverter.ToUInt32(brand, 16 * i + 4 * w);
            t[(0x80000002u + (uint)i, null)] = new(Word(0), Word(1), Word(2), Word(3));
        }
        return t;
    }

    /// <summary>The registers for a leaf and subleaf; leaves outside the table read as zeros.</summary>
    public static Leaf Lookup(uint leaf, uint subleaf)
    {
        if (Leaves.TryGetValue((leaf, null), out var plain)) return plain;
        return Leaves.GetValueOrDefault((leaf, subleaf));
    }
}
