using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>Runs a superblock through the IR interpreter and through compiled code from the same start and compares.</summary>
internal static unsafe class Differential
{
    public static CompiledBlock Check(JitTestMachine m, Superblock sb, string context)
    {
        var before = new Span<byte>(m.Memory, JitTestMachine.MemoryBytes).ToArray();
        new Span<byte>(m.State, GuestState.BlockSize).CopyTo(new Span<byte>(m.Reference, GuestState.BlockSize));
        var expected = new IrInterpreter().Run(sb, m.Reference, m.PageMap);
        var expectedMemory = new Span<byte>(m.Memory, JitTestMachine.MemoryBytes).ToArray();
        before.CopyTo(new Span<byte>(m.Memory, JitTestMachine.MemoryBytes));

        var block = m.Compile(sb);
        ulong next = m.Run(block);

        string where = $"{context}\n{sb}";
        Assert.That(next, Is.EqualTo(expected.NextAddress), $"next RIP; {where}");
        Assert.That((JumpKind)m.State->ExitKind, Is.EqualTo(expected.Kind), $"exit kind; {where}");
        m.Reference->ExitKind = m.State->ExitKind;
        m.Reference->ExitAddr = m.State->ExitAddr;
        var got = new Span<byte>(m.State, GuestState.BlockSize);
        var want = new Span<byte>(m.Reference, GuestState.BlockSize);
        int diff = got.CommonPrefixLength(want);
        if (diff < GuestState.BlockSize)
        {
            int at = diff & ~7;
            Assert.Fail($"state differs at offset {diff}: compiled 0x{Unsafe.ReadUnaligned<ulong>(ref got[at]):x16}, " +
                $"interpreter 0x{Unsafe.ReadUnaligned<ulong>(ref want[at]):x16} (qword at {at}); {where}");
        }
        var memory = new Span<byte>(m.Memory, JitTestMachine.MemoryBytes);
        int memDiff = memory.CommonPrefixLength(expectedMemory);
        if (memDiff < JitTestMachine.MemoryBytes)
            Assert.Fail($"memory differs at +{memDiff}: compiled {memory[memDiff]:x2}, interpreter {expectedMemory[memDiff]:x2}; {where}");
        return block;
    }
}

/// <summary>Helpers generated code calls in the tests.</summary>
internal static unsafe class TestHelpers
{
    [UnmanagedCallersOnly]
    private static ulong MixFn(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3) =>
        (a0 * 0x9E3779B97F4A7C15UL) ^ (a1 + 0x1234) ^ ulong.RotateLeft(a2, 13) ^ (a3 << 7) ^ state->Gpr[0];

    /// <summary>Dirty: adds its argument to RBX, so the test sees the helper reached the state.</summary>
    [UnmanagedCallersOnly]
    private static ulong BumpRbxFn(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        state->Gpr[3] += a0;
        return state->Gpr[3];
    }

    public static readonly IrHelper Mix = new("mix", &MixFn, 4, isPure: false);
    public static readonly IrHelper BumpRbx = new("bump_rbx", &BumpRbxFn, 1, isPure: false,
        stateReads: [(GuestState.OffRbx, 8)], stateWrites: [(GuestState.OffRbx, 8)]);
}
