using ELFSharp.ELF;
using ELFSharp.ELF.Sections;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// Every legacy-encoded instruction with an XMM operand (or MXCSR access) in the machine's libc,
/// libm, libstdc++, loader, python3, perl and sqlite3 lifts: the guest programs this project runs
/// never reach an SSE instruction the lifter lacks. VEX/EVEX forms are out of scope (CPUID hides AVX).
/// </summary>
[TestFixture, Category("Slow")]
public sealed class SseCoverageTests
{
    private static readonly string[] Binaries =
    [
        "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib64/ld-linux-x86-64.so.2", "/usr/bin/python3", "/usr/bin/perl", "/usr/bin/sqlite3",
    ];

    /// <summary>Never selected: they need CPUID bits the engine does not report (PCLMUL, AES, SHA, GFNI).</summary>
    private static readonly Mnemonic[] OutsideBaseline =
    [
        Mnemonic.Pclmulqdq, Mnemonic.Aesenc, Mnemonic.Aesenclast, Mnemonic.Aesdec, Mnemonic.Aesdeclast, Mnemonic.Aesimc,
        Mnemonic.Aeskeygenassist, Mnemonic.Sha1rnds4, Mnemonic.Sha1nexte, Mnemonic.Sha1msg1, Mnemonic.Sha1msg2,
        Mnemonic.Sha256rnds2, Mnemonic.Sha256msg1, Mnemonic.Sha256msg2, Mnemonic.Gf2p8affineqb, Mnemonic.Gf2p8affineinvqb,
        Mnemonic.Gf2p8mulb,
    ];

    public static IEnumerable<string> PresentBinaries() => Binaries.Where(File.Exists);

    [TestCaseSource(nameof(PresentBinaries))]
    public void Every_legacy_sse_instruction_lifts(string path)
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
