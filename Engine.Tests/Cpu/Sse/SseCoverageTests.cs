using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// Every legacy-encoded instruction with an XMM operand (or MXCSR access) in the machine's libc,
/// libm, libstdc++, loader, python3, perl and sqlite3, and in code gcc generates, lifts: the guest
/// programs this project runs never reach an SSE instruction the lifter lacks. VEX/EVEX forms are AvxCoverageTests'.
/// </summary>
[TestFixture, Category("Slow")]
public sealed class SseCoverageTests
{
    private static readonly string[] Binaries =
    [
        "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib64/ld-linux-x86-64.so.2", "/usr/bin/python3", "/usr/bin/perl", "/usr/bin/sqlite3",
    ];

    /// <summary>Never selected: they need CPUID bits the engine does not report (SHA, GFNI).</summary>
    private static readonly Mnemonic[] OutsideBaseline =
    [
        Mnemonic.Sha1rnds4, Mnemonic.Sha1nexte, Mnemonic.Sha1msg1, Mnemonic.Sha1msg2,
        Mnemonic.Sha256rnds2, Mnemonic.Sha256msg1, Mnemonic.Sha256msg2, Mnemonic.Gf2p8affineqb, Mnemonic.Gf2p8affineinvqb,
        Mnemonic.Gf2p8mulb,
    ];

    /// <summary>Loops gcc vectorises or turns into scalar SSE, one per idiom family.</summary>
    private const string VectorisableC = """
        #include <stdint.h>
        #include <math.h>
        void f1(float *a, float *b, int n) { for (int i = 0; i < n; i++) a[i] = a[i] * b[i] + sqrtf(b[i]); }
        void f2(double *a, double *b, int n) { for (int i = 0; i < n; i++) a[i] = fmin(a[i], b[i]) / b[i]; }
        int f3(int *a, int n) { int s = 0; for (int i = 0; i < n; i++) s += a[i] * a[i]; return s; }
        void f4(uint8_t *a, uint8_t *b, int n) { for (int i = 0; i < n; i++) a[i] = (a[i] + b[i] + 1) / 2; }
        int64_t f5(int64_t *a, int n) { int64_t s = 0; for (int i = 0; i < n; i++) s += a[i] > 0 ? a[i] : -a[i]; return s; }
        void f6(short *a, short *b, int *c, int n) { for (int i = 0; i < n; i++) c[i] = a[i] * b[i]; }
        void f7(float *a, int *b, int n) { for (int i = 0; i < n; i++) b[i] = (int)a[i] + lrintf(a[i]); }
        void f8(double *a, float *b, int n) { for (int i = 0; i < n; i++) b[i] = (float)a[i] + floor(a[i]); }
        uint32_t f9(uint8_t *a, int n) { uint32_t s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }
        void f10(uint16_t *a, uint8_t *b, int n) { for (int i = 0; i < n; i++) b[i] = a[i] >> 3; }
        void f11(int *a, int *b, int n) { for (int i = 0; i < n; i++) a[i] = a[i] > b[i] ? a[i] : b[i] * 3; }
        void f12(unsigned *a, unsigned n) { for (unsigned i = 0; i < n; i++) a[i] = a[i] / 7 + a[i] % 3; }
        double f13(double *a, int n) { double s = 0; for (int i = 0; i < n; i++) s += a[i] * a[i]; return s; }
        void f14(int64_t *a, int *b, int n) { for (int i = 0; i < n; i++) a[i] = b[i] * (int64_t)b[i]; }
        double f15(long x, unsigned y, float z) { return (double)x / y + z < 0.5 ? (double)(long)z : x * 1e-3; }
        """;

    public static IEnumerable<string> PresentBinaries() => Binaries.Where(File.Exists);

    [TestCase("-O2"), TestCase("-O3"), TestCase("-O3 -march=x86-64-v2"), TestCase("-O2 -ffast-math -march=x86-64-v2")]
    public void Every_sse_instruction_gcc_emits_lifts(string options)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"sse-coverage-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string source = Path.Combine(dir, "vec.c"), obj = Path.Combine(dir, "vec.o");
            File.WriteAllText(source, VectorisableC);
            var gcc = System.Diagnostics.Process.Start("gcc", $"{options} -c {source} -o {obj}");
            gcc.WaitForExit();
            Assert.That(gcc.ExitCode, Is.Zero, "gcc failed");
            AssertAllSseLifts(obj);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCaseSource(nameof(PresentBinaries))]
    public void Every_legacy_sse_instruction_lifts(string path) => AssertAllSseLifts(path);

    private static void AssertAllSseLifts(string path)
    {
        var table = LifterTable.Build();
        var missing = new SortedDictionary<string, (int Count, string Example)>();
        int lifted = 0;
        using var elf = ELFReader.Load(path);
        foreach (var section in elf.Sections.OfType<ProgBitsSection<ulong>>().Where(s => (s.Flags & SectionFlags.Executable) != 0))
        {
            var decoder = Decoder.Create(64, new ByteArrayCodeReader(section.GetContents()), section.LoadAddress);
            while (decoder.IP < section.LoadAddress + section.Size)
            {
                decoder.Decode(out var insn);
                if (insn.IsInvalid || !IsLegacySse(insn) || OutsideBaseline.Contains(insn.Mnemonic)) continue;
                var sb = new Superblock(insn.IP);
                var ctx = new LiftContext(sb);
                sb.IMark(insn.IP, insn.Length);
                ctx.Begin(insn);
                var lift = table.Find(insn.Mnemonic);
                if (lift is not null && lift(ctx)) { lifted++; continue; }
                string key = insn.Code.ToString();
                missing[key] = missing.TryGetValue(key, out var m) ? (m.Count + 1, m.Example) : (1, $"{insn.IP:x}: {insn}");
            }
        }
        TestContext.Out.WriteLine($"{path}: {lifted} SSE instructions lifted");
        Assert.That(missing.Select(m => $"{m.Key} x{m.Value.Count} ({m.Value.Example})"), Is.Empty);
    }

    private static bool IsLegacySse(in Instruction insn)
    {
        if (insn.Encoding != EncodingKind.Legacy) return false;
        if (insn.Mnemonic is Mnemonic.Ldmxcsr or Mnemonic.Stmxcsr or Mnemonic.Movnti) return true;
        for (int i = 0; i < insn.OpCount; i++)
            if (insn.GetOpKind(i) == OpKind.Register && insn.GetOpRegister(i).IsXMM()) return true;
        return false;
    }
}
