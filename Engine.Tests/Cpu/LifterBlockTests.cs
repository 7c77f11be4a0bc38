using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu;

/// <summary>How the lifter cuts guest code into superblocks and where it ends them.</summary>
public class LifterBlockTests
{
    private const ulong At = 0x401000;

    private static Superblock Lift(Action<Assembler> emit) => new Lifter(BufferCodeSource.Assemble(At, emit)).Lift(At);

    private static Superblock LiftBytes(params byte[] bytes) => new Lifter(new BufferCodeSource(At, bytes)).Lift(At);

    [Test]
    public void Unreadable_block_start_is_a_SigSegv_exit_at_that_address()
    {
        var sb = new Lifter(new BufferCodeSource(At, [0x90])).Lift(0x500000);
        Assert.That((sb.NextKind, sb.Next.Const, sb.InstructionCount), Is.EqualTo((JumpKind.SigSegv, 0x500000UL, 0)));
    }

    [Test]
    public void Undecodable_first_instruction_is_a_NoDecode_exit_only()
    {
        var sb = LiftBytes(0x06); // push es: invalid in 64-bit mode
        Assert.That((sb.NextKind, sb.Next.Const, sb.Count), Is.EqualTo((JumpKind.NoDecode, At, 0)));
    }

    [Test]
    public void Block_ends_before_an_unsupported_instruction_with_NoDecode()
    {
        var sb = Lift(a => { a.inc(rax); a.mov(cr0, rax); });
        Assert.That((sb.NextKind, sb.Next.Const, sb.InstructionCount), Is.EqualTo((JumpKind.NoDecode, At + 3, 1)));
    }

    [Test]
    public void Instruction_running_into_unreadable_memory_is_SigSegv()
    {
        var sb = LiftBytes(0x90, 0x48, 0xB8, 0x01, 0x02); // nop; mov rax, imm64 cut short
        Assert.That((sb.NextKind, sb.Next.Const, sb.InstructionCount), Is.EqualTo((JumpKind.SigSegv, At + 1, 1)));
    }

    [Test]
    public void Conditional_branch_gives_a_side_exit_and_fallthrough()
    {
        var sb = Lift(a => { var l = a.CreateLabel(); a.cmp(rax, rbx); a.je(l); a.nop(); a.Label(ref l); a.nop(); });
        var exits = sb.Statements.ToArray().Where(s => s.Kind == StmtKind.Exit).ToList();
        Assert.That(exits, Has.Count.EqualTo(1));
        Assert.That((sb.NextKind, sb.Next.Const), Is.EqualTo((JumpKind.Boring, At + 5)));
        Assert.That(exits[0].Addr, Is.EqualTo(At + 6));
    }

    [Test]
    public void Direct_jumps_are_followed_a_few_times_then_the_block_ends()
    {
        var sb = Lift(a =>
        {
            var l1 = a.CreateLabel(); var l2 = a.CreateLabel(); var l3 = a.CreateLabel(); var l4 = a.CreateLabel();
            a.jmp(l1); a.int3(); a.Label(ref l1); a.jmp(l2); a.int3(); a.Label(ref l2); a.jmp(l3); a.int3();
            a.Label(ref l3); a.jmp(l4); a.int3(); a.Label(ref l4); a.nop();
        });
        Assert.That(sb.InstructionCount, Is.EqualTo(Lifter.MaxFollowedJumps + 1));
        Assert.That(sb.Extents, Has.Count.EqualTo(Lifter.MaxFollowedJumps + 1));
        Assert.That(sb.NextKind, Is.EqualTo(JumpKind.Boring));
    }

    [Test]
    public void Long_straight_code_is_cut_at_the_instruction_limit()
    {
        var sb = Lift(a => { for (int i = 0; i < 100; i++) a.inc(rax); });
        Assert.That(sb.InstructionCount, Is.EqualTo(Lifter.MaxInstructions));
        Assert.That(sb.Next.Const, Is.EqualTo(At + 3UL * Lifter.MaxInstructions));
    }

    [TestCase(JumpKind.Syscall)]
    [TestCase(JumpKind.SigTrap)]
    [TestCase(JumpKind.SigIll)]
    [TestCase(JumpKind.Halt)]
    [TestCase(JumpKind.Yield)]
    public void Kernel_and_trap_instructions_end_the_block(JumpKind kind)
    {
        var sb = Lift(a =>
        {
            a.nop();
            switch (kind)
            {
                case JumpKind.Syscall: a.syscall(); break;
                case JumpKind.SigTrap: a.int3(); break;
                case JumpKind.SigIll: a.ud2(); break;
                case JumpKind.Halt: a.hlt(); break;
                default: a.pause(); break;
            }
            a.nop();
        });
        // Traps and syscalls continue after the instruction; ud2 and hlt fault at it.
        ulong expected = kind is JumpKind.SigIll or JumpKind.Halt ? At + 1 : kind == JumpKind.Syscall || kind == JumpKind.Yield ? At + 3 : At + 2;
        Assert.That((sb.NextKind, sb.Next.Const), Is.EqualTo((kind, expected)));
    }

    [Test]
    public void Client_request_sequence_ends_the_block_after_xchg_rbx()
    {
        var sb = LiftBytes(0x48, 0xC1, 0xC7, 0x03, 0x48, 0xC1, 0xC7, 0x0D, 0x48, 0xC1, 0xC7, 0x3D, 0x48, 0xC1, 0xC7, 0x33, 0x48, 0x87, 0xDB, 0x90);
        Assert.That((sb.NextKind, sb.Next.Const), Is.EqualTo((JumpKind.ClientRequest, At + 19)));
    }

    [TestCase(0UL, 7UL)]
    [TestCase(1UL, null)]
    public unsafe void Xgetbv_reads_xcr0_and_faults_for_other_registers(ulong ecx, ulong? eax)
    {
        var sb = Lift(a => a.xgetbv());
        var state = stackalloc GuestState[1];
        state->Reset();
        state->Gpr[1] = ecx;
        var exit = new IrInterpreter().Run(sb, state, new RangeGuard(0, 0));
        if (eax is { } xcr0)
            Assert.That((state->Gpr[0], state->Gpr[2], exit.NextAddress), Is.EqualTo((xcr0, 0UL, At + 3)));
        else
            Assert.That(exit, Is.EqualTo(new BlockExit(At, JumpKind.GeneralProtection)));
    }

    [Test]
    public unsafe void Division_by_zero_leaves_at_the_instruction_with_SigFpeIntDiv()
    {
        var sb = Lift(a => { a.nop(); a.div(rcx); a.nop(); });
        var state = stackalloc GuestState[1];
        state->Reset();
        state->Gpr[0] = 10;
        var exit = new IrInterpreter().Run(sb, state, new RangeGuard(0, 0));
        Assert.That(exit, Is.EqualTo(new BlockExit(At + 1, JumpKind.SigFpeIntDiv)));
        Assert.That(state->Gpr[0], Is.EqualTo(10UL), "rax untouched by the faulting div");
    }

    [Test]
    public unsafe void Cpuid_reports_the_table_cpu()
    {
        var sb = Lift(a => a.cpuid());
        var state = stackalloc GuestState[1];
        state->Reset();
        state->Gpr[0] = 1;
        new IrInterpreter().Run(sb, state, new RangeGuard(0, 0));
        uint ecx = (uint)state->Gpr[1];
        Assert.That(ecx & (1u << 20), Is.Not.Zero, "SSE4.2");
        Assert.That(ecx & (1u << 28 | 1u << 27 | 1u << 26 | 1u << 12), Is.EqualTo(1u << 28 | 1u << 27 | 1u << 26 | 1u << 12), "AVX, OSXSAVE, XSAVE, FMA");
        state->Gpr[0] = 0;
        new IrInterpreter().Run(sb, state, new RangeGuard(0, 0));
        Assert.That((uint)state->Gpr[3], Is.EqualTo(0x756E6547u), "Genu");
    }

    private static unsafe GuestState* RunOnce(Superblock sb, GuestState* state, IGuestMemoryGuard? guard = null)
    {
        new IrInterpreter().Run(sb, state, guard ?? new RangeGuard(0, 0));
        return state;
    }

    [TestCase(0x1UL, 63UL)]
    [TestCase(0x8000_0000_0000_0000UL, 0UL)]
    [TestCase(0UL, 64UL)]
    [TestCase(0x00F0UL, 56UL)]
    public unsafe void Lzcnt_counts_leading_zeros_and_sets_CF_for_zero(ulong value, ulong expected)
    {
        // The host CPU lacks LZCNT (it would run bsr), so this form is checked against the definition.
        var sb = Lift(a => a.lzcnt(rax, rcx));
        var state = stackalloc GuestState[1];
        state->Reset();
        state->Gpr[1] = value;
        RunOnce(sb, state);
        ulong flags = FlagHelpers.Compute((CcOp)state->CcOp, state->CcDep1, state->CcDep2, state->CcNdep);
        Assert.That(state->Gpr[0], Is.EqualTo(expected));
        Assert.That((flags & X86Flags.CF) != 0, Is.EqualTo(value == 0), "CF");
        Assert.That((flags & X86Flags.ZF) != 0, Is.EqualTo(expected == 0), "ZF");
    }

    [Test]
    public unsafe void Fs_override_adds_the_fs_base_to_the_address()
    {
        var cell = (ulong*)System.Runtime.InteropServices.NativeMemory.Alloc(64);
        try
        {
            cell[5] = 0xDEADBEEF;
            var sb = Lift(a => a.mov(rax, __qword_ptr.fs[0x28]));
            var state = stackalloc GuestState[1];
            state->Reset();
            state->FsBase = (ulong)cell;
            RunOnce(sb, state, new RangeGuard((ulong)cell, (ulong)cell + 64));
            Assert.That(state->Gpr[0], Is.EqualTo(0xDEADBEEFUL));
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(cell);
        }
    }

    [Test]
    public unsafe void Xtest_reports_no_transaction()
    {
        var sb = Lift(a => a.xtest());
        var state = stackalloc GuestState[1];
        state->Reset();
        RunOnce(sb, state);
        Assert.That(FlagHelpers.Compute((CcOp)state->CcOp, state->CcDep1, state->CcDep2, state->CcNdep), Is.EqualTo(X86Flags.ZF));
    }

    [Test]
    public unsafe void Rep_movsb_faulting_midway_stops_with_the_elements_done_accounted()
    {
        var buffer = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(64);
        try
        {
            // Source 0..31, destination 32..63 but only 32..44 writable: the 14th element faults.
            for (int i = 0; i < 32; i++) buffer[i] = (byte)(i + 1);
            var lifter = new Lifter(BufferCodeSource.Assemble(At, a => a.rep.movsb()));
            var state = stackalloc GuestState[1];
            state->Reset();
            state->Gpr[6] = (ulong)buffer;
            state->Gpr[7] = (ulong)buffer + 32;
            state->Gpr[1] = 20;
            var guard = new WritableBelow((ulong)buffer, (ulong)buffer + 64, (ulong)buffer + 45);
            var interpreter = new IrInterpreter();
            BlockExit exit;
            do exit = interpreter.Run(lifter.Lift(At), state, guard);
            while (exit.Kind == JumpKind.Boring && exit.NextAddress == At);
            Assert.That(exit, Is.EqualTo(new BlockExit(At, JumpKind.SigSegv)));
            Assert.That(state->Gpr[1], Is.EqualTo(20UL - 13), "rcx counts the 13 elements copied");
            Assert.That(state->Gpr[7], Is.EqualTo((ulong)buffer + 45), "rdi at the faulting element");
            Assert.That(buffer[44], Is.EqualTo(13));
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.Free(buffer);
        }
    }

    /// <summary>Readable in [start, end), writable only below <c>writableEnd</c>.</summary>
    private sealed class WritableBelow(ulong start, ulong end, ulong writableEnd) : IGuestMemoryGuard
    {
        public bool CanRead(ulong address, int size) => address >= start && address + (ulong)size <= end;
        public bool CanWrite(ulong address, int size) => address >= start && address + (ulong)size <= writableEnd;
    }
}
