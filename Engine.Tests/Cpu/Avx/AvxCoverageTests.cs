using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tests.Cpu.Vector;

namespace Memcheck.Engine.Tests.Cpu.Avx;

/// <summary>
/// In every object the real-program tests load (the programs, their libraries, the Python extension modules),
/// each VEX-, EVEX- or XOP-encoded instruction, and each legacy one of the extensions the guest's CPU added
/// (AES, PCLMULQDQ, RDRAND, RDSEED, XSAVE, MOVBE, LZCNT, RDTSCP), lifts when the CPU the guest sees implements it
/// and is refused (so ends in SIGILL) when it does not: glibc's AVX-512 and FMA4 variants are never selected, and
/// never silently run.
/// </summary>
[TestFixture, Category("Slow")]
public sealed class AvxCoverageTests
{
    private const string Lib = "/lib/x86_64-linux-gnu/";

    private static readonly string[] Objects =
    [
        "/lib64/ld-linux-x86-64.so.2", Lib + "libc.so.6", Lib + "libm.so.6", Lib + "libstdc++.so.6", Lib + "libgcc_s.so.1",
        Lib + "libz.so.1", Lib + "libsqlite3.so.0", Lib + "libpcre2-8.so.0", Lib + "libselinux.so.1", Lib + "libreadline.so.8",
        Lib + "libtinfo.so.6", Lib + "libcrypt.so.1", Lib + "libexpat.so.1", Lib + "libffi.so.8",
        "/usr/lib/python3.11/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so",
        "/usr/lib/python3.11/lib-dynload/_ctypes.cpython-311-x86_64-linux-gnu.so",
        // hashlib's: OpenSSL picks its AVX2, AES-NI and PCLMULQDQ code by the same CPUID.
        "/usr/lib/python3.11/lib-dynload/_hashlib.cpython-311-x86_64-linux-gnu.so", "/usr/lib/x86_64-linux-gnu/libcrypto.so.3",
        "/bin/ls", "/usr/bin/sort", "/bin/gzip", "/usr/bin/sqlite3", "/usr/bin/perl", "/usr/bin/python3",
    ];

    /// <summary>Every CPUID feature of the CPU the guest sees that an instruction may need.</summary>
    private static readonly HashSet<CpuidFeature> Implemented =
    [
        .. VectorForm.GuestFeatures, CpuidFeature.INTEL8086, CpuidFeature.INTEL386, CpuidFeature.X64, CpuidFeature.SSE,
        CpuidFeature.SSE2, CpuidFeature.SSE3, CpuidFeature.SSSE3, CpuidFeature.SSE4_1, CpuidFeature.SSE4_2, CpuidFeature.XSAVE,
        CpuidFeature.RDRAND, CpuidFeature.RDSEED, CpuidFeature.MOVBE, CpuidFeature.LZCNT, CpuidFeature.RDTSCP, CpuidFeature.AES,
        CpuidFeature.PCLMULQDQ,
    ];

    /// <summary>Legacy-encoded extensions this CPU added over the SSE baseline.</summary>
    private static readonly HashSet<CpuidFeature> AddedLegacy =
    [
        CpuidFeature.AES, CpuidFeature.PCLMULQDQ, CpuidFeature.RDRAND, CpuidFeature.RDSEED, CpuidFeature.XSAVE,
        CpuidFeature.XSAVEC, CpuidFeature.XSAVEOPT, CpuidFeature.XSAVES, CpuidFeature.MOVBE, CpuidFeature.LZCNT, CpuidFeature.RDTSCP,
    ];

    public static IEnumerable<string> PresentObjects() => Objects.Where(File.Exists);

    [TestCaseSource(nameof(PresentObjects))]
    public void Implemented_instructions_lift_and_the_others_are_refused(string path)
    {
        var table = LifterTable.Build();
        var missing = new SortedDictionary<string, string>();
        var wronglyLifted = new SortedDictionary<string, string>();
        var seen = new SortedDictionary<string, int>();
        using var elf = ELFReader.Load(path);
        foreach (var section in elf.Sections.OfType<ProgBitsSection<ulong>>().Where(s => (s.Flags & SectionFlags.Executable) != 0))
        {
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(section.GetContents()), section.LoadAddress);
            while (decoder.IP < section.LoadAddress + section.Size)
            {
                decoder.Decode(out var insn);
                if (insn.IsInvalid || !Concerned(insn)) continue;
                var features = insn.Code.CpuidFeatures();
                bool implemented = features.All(Implemented.Contains);
                bool lifted = Lifts(table, insn);
                string name = insn.Mnemonic.ToString();
                seen[name] = seen.GetValueOrDefault(name) + 1;
                if (implemented && !lifted) missing.TryAdd(insn.Code.ToString(), $"{insn.IP:x}: {insn}");
                if (!implemented && lifted) wronglyLifted.TryAdd(insn.Code.ToString(), $"{insn.IP:x}: {insn} ({string.Join("+", features)})");
            }
        }
        TestContext.Out.WriteLine($"{path}: {string.Join(" ", seen.Select(s => $"{s.Key}:{s.Value}"))}");
        Assert.That(missing.Select(m => $"{m.Key} ({m.Value})"), Is.Empty, "implemented by the guest's CPU, not lifted");
        Assert.That(wronglyLifted.Select(m => $"{m.Key} ({m.Value})"), Is.Empty, "not implemented by the guest's CPU, yet lifted");
    }

    private static bool Concerned(in Instruction insn) =>
        insn.Encoding is EncodingKind.VEX or EncodingKind.EVEX or EncodingKind.XOP
        || insn.Code.CpuidFeatures().Any(AddedLegacy.Contains);

    private static bool Lifts(LifterTable table, in Instruction insn)
    {
        var sb = new Superblock(insn.IP);
        var ctx = new LiftContext(sb);
        sb.IMark(insn.IP, insn.Length);
        ctx.Begin(insn);
        return table.Find(insn.Mnemonic) is { } lift && lift(ctx);
    }
}
