using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// A pure helper declaring a <see cref="ResultCache"/> (memcheck's stack origin of a return's target): compiled code
/// answers from the entry holding the argument and a result, and calls the helper (which fills the entry) for any
/// other argument hashing there or an entry without a result; the result is the helper's either way.
/// </summary>
[TestFixture]
public sealed unsafe class ResultCacheTests
{
    private const ulong Instruction = 0x401000, NextInstruction = 0x401008;
    private const int Entries = 16;

    private static readonly ulong[] s_table = GC.AllocateArray<ulong>(2 * Entries, pinned: true);
    private static int s_calls;
    private JitTestMachine _machine = null!;

    [SetUp]
    public void SetUp()
    {
        _machine = new JitTestMachine();
        Array.Clear(s_table);
        s_calls = 0;
    }

    [TearDown]
    public void TearDown() => _machine.Dispose();

    /// <summary>(a) -> 2a + 1, kept in the entry of a.</summary>
    [UnmanagedCallersOnly]
    private static ulong Remembered(GuestState* state, ulong argument, ulong a1, ulong a2, ulong a3)
    {
        s_calls++;
        int entry = ResultCache.IndexOf(argument, Entries);
        s_table[2 * entry] = argument;
        s_table[2 * entry + 1] = 2 * argument + 1;
        return 2 * argument + 1;
    }

    private static readonly IrHelper Helper = new("test_remembered", &Remembered, 1, isPure: true)
    {
        Cache = new ResultCache((nint)Unsafe.AsPointer(ref s_table[0]), Entries),
    };

    /// <summary>rsi = the helper of rdi, rbx kept.</summary>
    private CompiledBlock Block()
    {
        var sb = new Superblock(Instruction);
        sb.IMark(Instruction, 8);
        var keep = sb.Get(GuestState.OffRbx, IrType.I64);
        sb.Put(GuestState.OffRsi, sb.Call(Helper, sb.Get(GuestState.OffRdi, IrType.I64)));
        sb.Put(GuestState.OffRbp, keep);
        sb.Next = IrValue.U64(NextInstruction);
        return _machine.Compile(sb);
    }

    private (ulong Result, int Calls) Run(CompiledBlock block, ulong argument)
    {
        s_calls = 0;
        _machine.State->Gpr[3] = 0x1234;
        _machine.State->Gpr[7] = argument;
        _machine.Run(block);
        Assert.That(_machine.State->Gpr[5], Is.EqualTo(0x1234UL), "a register live across the lookup");
        return (_machine.State->Gpr[6], s_calls);
    }

    [Test]
    public void TheEntryAnswersAfterTheFirstCallAndAnotherArgumentThereIsCalled()
    {
        var block = Block();
        const ulong first = 0x4010_2030;
        ulong sameEntry = first + (Entries << ResultCache.Shift) + Entries;
        Assert.That(ResultCache.IndexOf(sameEntry, Entries), Is.EqualTo(ResultCache.IndexOf(first, Entries)));
        Assert.That(Run(block, first), Is.EqualTo((2 * first + 1, 1)), "first: called");
        Assert.That(Run(block, first), Is.EqualTo((2 * first + 1, 0)), "again: from the entry");
        Assert.That(Run(block, sameEntry), Is.EqualTo((2 * sameEntry + 1, 1)), "another argument in its entry: called");
        Assert.That(Run(block, first), Is.EqualTo((2 * first + 1, 1)), "the first, displaced: called");
    }

    [Test]
    public void AnEntryWithoutAResultIsCalled()
    {
        var block = Block();
        const ulong argument = 0x77;
        s_table[2 * ResultCache.IndexOf(argument, Entries)] = argument;
        Assert.That(Run(block, argument), Is.EqualTo((2 * argument + 1, 1)));
    }
}
