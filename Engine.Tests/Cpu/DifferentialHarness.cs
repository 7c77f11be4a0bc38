using System.Text;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Cpu;

/// <summary>
/// Runs the same instruction bytes natively and through Lifter + IrInterpreter from the same
/// random registers, flags and memory, and describes every difference in GPRs, the flags that
/// are defined, DF, the stack and the data buffer. RBX points into the data buffer, RSP at the stack.
/// </summary>
public sealed class DifferentialHarness : IDisposable
{
    public const ulong StatusFlags = X86Flags.Oszapc;
    private static readonly string[] GprNames =
        ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"];

    private readonly NativeSandbox _sandbox = new();
    private readonly LiftedRunner _lifted = new();

    public NativeSandbox Sandbox => _sandbox;

    /// <summary>One interesting 64-bit value: zero, a width boundary, a small count, or random bits.</summary>
    public static ulong Value(Random rng)
    {
        ulong[] edges =
        [
            1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
            0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ulong.MaxValue,
        ];
        return rng.Next(8) switch
        {
            0 => 0,
            1 => edges[rng.Next(edges.Length)],
            2 => (ulong)rng.Next(0, 70),
            3 => (ulong)-rng.Next(1, 70),
            _ => (ulong)rng.NextInt64() ^ ((ulong)rng.Next() << 63),
        };
    }

    /// <summary>
    /// Compare one run. <paramref name="setup"/> may adjust the registers and memory after the random fill.
    /// Returns null when native and lifted agree, else a description naming the seed.
    /// </summary>
    public unsafe string? Compare(Action<Assembler> emit, int seed, ulong undefinedFlags = 0,
        Action<ulong[], Random>? setup = null, bool randomDirection = false, Func<Superblock, Superblock>? transform = null)
    {
        var rng = new Random(seed);
        ulong end = _sandbox.LoadCode(emit);
        var gprs = new ulong[16];
        for (int i = 0; i < 16; i++) gprs[i] = Value(rng);
        gprs[4] = _sandbox.StackTop;
        gprs[3] = _sandbox.DataMiddle;
        var stack = _sandbox.Memory(NativeSandbox.StackOffset, NativeSandbox.StackEnd - NativeSandbox.StackOffset);
        var data = _sandbox.Memory(NativeSandbox.DataOffset, NativeSandbox.DataEnd - NativeSandbox.DataOffset);
        rng.NextBytes(stack);
        rng.NextBytes(data);
        setup?.Invoke(gprs, rng);
        ulong flags = ((ulong)rng.NextInt64() & StatusFlags) | X86Flags.IF | X86Flags.Reserved1;
        if (randomDirection && rng.Next(2) == 0) flags |= X86Flags.DF;

        byte[] stack0 = stack.ToArray(), data0 = data.ToArray();
        var native = (ulong[])gprs.Clone();
        ulong nativeFlags = flags;
        _sandbox.RunNative(native, ref nativeFlags);
        byte[] nativeStack = stack.ToArray(), nativeData = data.ToArray();
        stack0.CopyTo(stack);
        data0.CopyTo(data);

        _lifted.Load(gprs, flags);
        var lifter = new Lifter(new RangeCodeSource(_sandbox.CodeAddress, end));
        var guard = new RangeGuard(_sandbox.Base + NativeSandbox.StackOffset, _sandbox.Base + NativeSandbox.DataEnd);
        var exit = _lifted.Run(lifter, _sandbox.CodeAddress, end, guard, transform);

        var diffs = new StringBuilder();
        if (exit is { } e) diffs.AppendLine($"lifted run stopped at 0x{e.NextAddress:x} with {e.Kind}");
        for (int i = 0; i < 16; i++)
            if (native[i] != _lifted.State->Gpr[i])
                diffs.AppendLine($"{GprNames[i]}: native 0x{native[i]:x16} lifted 0x{_lifted.State->Gpr[i]:x16} (was 0x{gprs[i]:x16})");
        ulong compared = (StatusFlags & ~undefinedFlags) | X86Flags.DF;
        ulong liftedFlags = _lifted.Rflags;
        if ((nativeFlags & compared) != (liftedFlags & compared))
            diffs.AppendLine($"flags: native {FlagText(nativeFlags & compared)} lifted {FlagText(liftedFlags & compared)} (was {FlagText(flags)})");
        DiffMemory(diffs, "stack", NativeSandbox.StackOffset, nativeStack, stack);
        DiffMemory(diffs, "data", NativeSandbox.DataOffset, nativeData, data);
        if (diffs.Length == 0) return null;

        var text = new StringBuilder($"seed {seed}:\n{Disassemble(_sandbox.CodeAddress, end)}");
        text.Append(diffs);
        var first = lifter.Lift(_sandbox.CodeAddress);
        text.AppendLine(IrPrinter.Format(transform is null ? first : transform(first)));
        return text.ToString();
    }

    private static void DiffMemory(StringBuilder diffs, string name, int offset, byte[] native, Span<byte> lifted)
    {
        for (int i = 0; i < native.Length; i++)
            if (native[i] != lifted[i])
            {
                diffs.AppendLine($"{name}+0x{offset + i:x}: native {native[i]:x2} lifted {lifted[i]:x2} (first difference)");
                return;
            }
    }

    public static string FlagText(ulong f)
    {
        var s = new StringBuilder();
        foreach (var (bit, name) in new[] { (X86Flags.OF, 'O'), (X86Flags.DF, 'D'), (X86Flags.SF, 'S'), (X86Flags.ZF, 'Z'), (X86Flags.AF, 'A'), (X86Flags.PF, 'P'), (X86Flags.CF, 'C') })
            s.Append((f & bit) != 0 ? name : '-');
        return s.ToString();
    }

    private unsafe string Disassemble(ulong start, ulong end)
    {
        var bytes = new ReadOnlySpan<byte>((void*)start, (int)(end - start)).ToArray();
        var decoder = Iced.Intel.Decoder.Create(64, new ByteArrayCodeReader(bytes), start);
        var formatter = new NasmFormatter();
        var output = new StringOutput();
        var text = new StringBuilder();
        while (decoder.IP < end)
        {
            decoder.Decode(out var insn);
            formatter.Format(insn, output);
            text.AppendLine($"  {insn.IP:x}: {output.ToStringAndReset()}");
        }
        return text.ToString();
    }

    public void Dispose()
    {
        _lifted.Dispose();
        _sandbox.Dispose();
    }
}
