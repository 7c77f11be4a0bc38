using System.Runtime.InteropServices;
using System.Text;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>
/// Every form the SSE lifters claim, run natively and lifted on the same random inputs: XMM
/// registers, GPRs, OSZAPC and the memory operand must come out identical.
/// </summary>
[TestFixture]
public sealed unsafe class SseDifferentialTests : SseRunnerFixture
{
    private const int Iterations = 40;
    private const int MemoryOperandOffset = 16;

    public static IEnumerable<SseForm> Forms() => SseForm.All();

    [Test]
    public void Catalog_covers_the_forms_glibc_and_gcc_code_use()
    {
        var names = Forms().Select(f => f.Code.ToString()).ToHashSet();
        string[] expected =
        [
            "Movdqa_xmm_xmmm128", "Movups_xmmm128_xmm", "Pcmpeqb_xmm_xmmm128", "Pmovmskb_r32_xmm", "Pcmpistri_xmm_xmmm128_imm8",
            "Palignr_xmm_xmmm128_imm8", "Cvtsi2sd_xmm_rm64", "Cvttsd2si_r32_xmmm64", "Ucomisd_xmm_xmmm64", "Pshufd_xmm_xmmm128_imm8",
            "Movq_xmm_rm64", "Movd_rm32_xmm", "Psrldq_xmm_imm8", "Punpcklqdq_xmm_xmmm128", "Movhps_xmm_m64", "Cmpsd_xmm_xmmm64_imm8",
        ];
        Assert.That(expected.Where(e => !names.Contains(e)), Is.Empty);
    }

    /// <summary>Forms whose result depends on MXCSR.RC, which the IR honours for them.</summary>
    public static IEnumerable<TestCaseData> RoundingForms() =>
        from form in Forms()
        where form.Code.Mnemonic() is Mnemonic.Cvtsd2si or Mnemonic.Cvtss2si or Mnemonic.Cvtps2dq
            or Mnemonic.Cvtpd2dq or Mnemonic.Cvttsd2si or Mnemonic.Roundsd or Mnemonic.Roundps
        from rc in new[] { 1u, 2u, 3u }
        select new TestCaseData(form, rc).SetArgDisplayNames(form.ToString(), $"RC={rc}");

    [TestCaseSource(nameof(Forms))]
    public void Lifted_form_matches_native(SseForm form) =>
        AssertMatchesNative(form, (int)form.Code * 31 + (form.Memory ? 1 : 0), 0x1F80);

    [TestCaseSource(nameof(RoundingForms))]
    public void Lifted_form_follows_mxcsr_rounding_as_native(SseForm form, uint rc) =>
        AssertMatchesNative(form, (int)form.Code * 31 + (int)rc, 0x1F80 | rc << 13);

    private void AssertMatchesNative(SseForm form, int seed, uint mxcsr)
    {
        var rng = new Random(seed);
        var guard = new BufferGuard((ulong)Memory, MemoryBytes);
        CpuImage start, native, lifted;
        var initialMemory = new byte[MemoryBytes];
        var nativeMemory = new byte[MemoryBytes];
        var memory = new Span<byte>(Memory, MemoryBytes);

        for (int iteration = 0; iteration < Iterations; iteration++)
        {
            var bytes = form.Encode(rng);
            int shape = rng.Next(SseInputs.Shapes);
            start = default;
            SseInputs.Fill(rng, shape, new Span<byte>(start.Xmm, 256));
            for (int i = 0; i < CpuImage.Gprs.Length; i++) start.Gpr[i] = SseInputs.Gpr(rng);
            start.Gpr[CpuImage.Gprs.Length - 1] = (ulong)(Memory + MemoryOperandOffset);
            start.Rflags = ((ulong)rng.NextInt64() & X86Flags.Oszapc) | 0x202;
            start.Mxcsr = mxcsr;
            SseInputs.Fill(rng, shape, initialMemory);

            native = start;
            initialMemory.CopyTo(memory);
            Native.Run(bytes, &native);
            memory.CopyTo(nativeMemory);

            lifted = start;
            initialMemory.CopyTo(memory);
            Assert.That(Lifted.Run(bytes, &lifted, guard, out var exit), Is.True, $"lifter rejected {Describe(bytes)}");

            var diffs = Differences(&native, &lifted, nativeMemory, memory);
            if (exit.Kind != JumpKind.Boring || exit.NextAddress != LiftedRunner.Ip + (ulong)bytes.Length)
                diffs.Insert(0, $"exit {exit}");
            if (diffs.Count > 0)
                Assert.Fail($"{Describe(bytes)} seed {seed} mxcsr {mxcsr:x} iteration {iteration} shape {shape}\n{string.Join("\n", diffs)}\n"
                    + $"inputs:\n{Dump(&start, initialMemory)}\n{Lifted.LastBlock}");
        }
    }

    private static string Describe(byte[] bytes) => $"{LiftedRunner.Decode(bytes)} [{Convert.ToHexString(bytes)}]";

    private static List<string> Differences(CpuImage* native, CpuImage* lifted, ReadOnlySpan<byte> nativeMemory, ReadOnlySpan<byte> liftedMemory)
    {
        var diffs = new List<string>();
        for (int i = 0; i < 16; i++)
            if (native->Xmm[2 * i] != lifted->Xmm[2 * i] || native->Xmm[2 * i + 1] != lifted->Xmm[2 * i + 1])
                diffs.Add($"xmm{i}: native {Xmm(native, i)} lifted {Xmm(lifted, i)}");
        for (int i = 0; i < CpuImage.Gprs.Length; i++)
            if (native->Gpr[i] != lifted->Gpr[i])
                diffs.Add($"{CpuImage.Gprs[i]}: native {native->Gpr[i]:x16} lifted {lifted->Gpr[i]:x16}");
        ulong nf = native->Rflags & X86Flags.Oszapc, lf = lifted->Rflags & X86Flags.Oszapc;
        if (nf != lf) diffs.Add($"OSZAPC: native {nf:x} lifted {lf:x}");
        if (!nativeMemory.SequenceEqual(liftedMemory))
            diffs.Add($"memory: native {Convert.ToHexString(nativeMemory)}\n        lifted {Convert.ToHexString(liftedMemory)}");
        return diffs;
    }

    private static string Xmm(CpuImage* image, int i) => $"{image->Xmm[2 * i + 1]:x16}_{image->Xmm[2 * i]:x16}";

    private static string Dump(CpuImage* image, byte[] memory)
    {
        var text = new StringBuilder();
        for (int i = 0; i < 16; i++) text.Append($"xmm{i}={Xmm(image, i)} ");
        for (int i = 0; i < CpuImage.Gprs.Length; i++) text.Append($"{CpuImage.Gprs[i]}={image->Gpr[i]:x} ");
        return text.Append($"rflags={image->Rflags:x} memory={Convert.ToHexString(memory)}").ToString();
    }
}
