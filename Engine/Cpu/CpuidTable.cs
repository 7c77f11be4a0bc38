using System.Text;

namespace Memcheck.Engine.Cpu;

/// <summary>
/// What the guest's cpuid returns: the Haswell that Valgrind 3.19 shows its guests on this machine (an
/// "Intel(R) Core(TM) i7-4910MQ" with AVX2, FMA, BMI1/2, F16C, AES, PCLMULQDQ, XSAVE with XCR0 = x87|SSE|AVX,
/// no XSAVEOPT/XSAVEC, no AVX-512, no ADX), register for register, so glibc's ifunc resolvers, libm and
/// libstdc++ pick the code paths they pick under Valgrind. Leaves past the maximum read as the highest basic
/// leaf (0xD, subleaf 0), as Intel CPUs answer them.
/// </summary>
public static class CpuidTable
{
    public readonly record struct Leaf(uint Eax, uint Ebx, uint Ecx, uint Edx);

    public const uint MaxBasicLeaf = 0xD;
    public const uint MaxExtendedLeaf = 0x80000008;
    private const string Brand = "Intel(R) Core(TM) i7-4910MQ CPU @ 2.90GHz";

    /// <summary>XCR0 as xgetbv reads it: x87, SSE and AVX state enabled.</summary>
    public const ulong Xcr0 = 0b111;

    /// <summary>Bytes of the standard-format XSAVE area for the components of <see cref="Xcr0"/> (legacy, header, AVX).</summary>
    public const uint XsaveAreaSize = 0x340;

    // Leaf 1 ECX: every feature bit but CNXT-ID(10), reserved(16), DCA(18), hypervisor(31). Among them SSE3(0)
    // PCLMULQDQ(1) SSSE3(9) FMA(12) CX16(13) SSE4.1(19) SSE4.2(20) MOVBE(22) POPCNT(23) AES(25) XSAVE(26)
    // OSXSAVE(27) AVX(28) F16C(29) RDRAND(30).
    private const uint Leaf1Ecx = 0x7FFAFBFF;
    // Leaf 1 EDX: all but reserved bits 10 and 20 (FPU TSC CX8 CMOV CLFSH MMX FXSR SSE SSE2 HTT ...).
    private const uint Leaf1Edx = 0xBFEBFBFF;
    // Leaf 7 EBX: TSC_ADJUST(1) BMI1(3) AVX2(5) SMEP(7) BMI2(8) ERMS(9) INVPCID(10) FPU CS/DS deprecated(13) RDSEED(18).
    private const uint Leaf7Ebx = 0x000427AA;

    /// <summary>(leaf, subleaf or null when the leaf has none) -> registers.</summary>
    private static readonly Dictionary<(uint Leaf, uint? Subleaf), Leaf> Leaves = Build();

    private static Dictionary<(uint, uint?), Leaf> Build()
    {
        var t = new Dictionary<(uint, uint?), Leaf>
        {
            // "GenuineIntel" in EBX, EDX, ECX.
            [(0, null)] = new(MaxBasicLeaf, 0x756E6547, 0x6C65746E, 0x49656E69),
            // Family 6 model 0x3C stepping 3; APIC id 2, 16 logical processors, 64-byte clflush line.
            [(1, null)] = new(0x000306C3, 0x02100800, Leaf1Ecx, Leaf1Edx),
            // Cache and TLB descriptors.
            [(2, null)] = new(0x76036301, 0x00F0B6FF, 0, 0x00C10000),
            [(3, null)] = new(0, 0, 0, 0),
            // Deterministic cache parameters: EAX cores|type|level|self-init, EBX ways-1<<22|line-1, ECX sets-1.
            [(4, 0)] = new(0x1C004121, 0x01C0003F, 0x3F, 0),     // L1d 32 KiB, 8-way
            [(4, 1)] = new(0x1C004122, 0x01C0003F, 0x3F, 0),     // L1i 32 KiB, 8-way
            [(4, 2)] = new(0x1C004143, 0x01C0003F, 0x1FF, 0),    // L2 256 KiB, 8-way
            [(4, 3)] = new(0x1C03C163, 0x03C0003F, 0x1FFF, 6),   // L3 8 MiB, 16-way, inclusive, complex indexing
            // MONITOR/MWAIT, thermal and power, (8, 9 absent), architectural performance monitoring.
            [(5, null)] = new(0x40, 0x40, 3, 0x00042120),
            [(6, null)] = new(0x77, 2, 9, 0),
            [(7, 0)] = new(0, Leaf7Ebx, 0, 0),
            [(8, null)] = new(0, 0, 0, 0),
            [(9, null)] = new(0, 0, 0, 0),
            [(0xA, null)] = new(0x07300803, 0, 0, 0x603),
            [(0xC, null)] = new(0, 0, 0, 0),
            // XSAVE: XCR0 may hold x87|SSE|AVX, the area is 0x340 bytes; no XSAVEOPT/XSAVEC/XGETBV1/XSAVES;
            // the AVX component is 256 bytes at offset 576.
            [(0xD, 0)] = new((uint)Xcr0, XsaveAreaSize, XsaveAreaSize, 0),
            [(0xD, 1)] = new(0, 0, 0, 0),
            [(0xD, 2)] = new(0x100, 0x240, 0, 0),
            [(0x80000000, null)] = new(MaxExtendedLeaf, 0, 0, 0),
            // ECX LAHF/SAHF(0) ABM/LZCNT(5); EDX SYSCALL(11) NX(20) 1 GiB pages(26) RDTSCP(27) LM(29).
            [(0x80000001, null)] = new(0, 0, 0x21, 0x2C100800),
            [(0x80000005, null)] = new(0, 0, 0, 0),
            // L2: 256 KiB, 8-way (code 6), 64-byte lines.
            [(0x80000006, null)] = new(0, 0, 0x01006040, 0),
            // Invariant TSC.
            [(0x80000007, null)] = new(0, 0, 0, 0x100),
            // 39 physical and 48 virtual address bits.
            [(0x80000008, null)] = new(0x3027, 0, 0, 0),
        };
        // x2APIC topology: SMT level (2 threads), core level (8 logical processors); other levels invalid, ECX = subleaf.
        t[(0xB, 0)] = new(1, 2, 0x100, 2);
        t[(0xB, 1)] = new(4, 8, 0x201, 2);
        var brand = Encoding.ASCII.GetBytes(Brand.PadRight(48, '\0'));
        for (int i = 0; i < 3; i++)
        {
            uint Word(int w) => BitConverter.ToUInt32(brand, 16 * i + 4 * w);
            t[(0x80000002u + (uint)i, null)] = new(Word(0), Word(1), Word(2), Word(3));
        }
        return t;
    }

    /// <summary>The registers for a leaf and subleaf.</summary>
    public static Leaf Lookup(uint leaf, uint subleaf)
    {
        if (leaf > MaxBasicLeaf && leaf < 0x80000000 || leaf > MaxExtendedLeaf) return Leaves[(MaxBasicLeaf, 0)];
        if (Leaves.TryGetValue((leaf, null), out var plain)) return plain;
        if (Leaves.TryGetValue((leaf, subleaf), out var sub)) return sub;
        // Subleaves past the table: the topology leaf echoes the level number, the others read as zeros.
        return leaf == 0xB ? new Leaf(0, 0, subleaf, 2) : default;
    }
}
