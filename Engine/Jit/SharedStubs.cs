using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Jit.X64;

namespace Memcheck.Engine.Jit;

/// <summary>
/// The routines of a code cache that every block enters, leaves or calls through, so that blocks carry
/// none of it. <see cref="Enter"/> is what the dispatcher calls: it saves the SysV callee-saved registers,
/// loads the state pointer into rbp, reserves the frame all blocks share (<see cref="BlockFrame"/>), refills
/// the entry budget and jumps into the block. Every way out ends in <see cref="PopReturn"/>, which returns
/// the next guest RIP (rax) to the dispatcher.
/// </summary>
internal sealed unsafe class SharedStubs
{
    /// <summary>(GuestState* state, nint block) -> next RIP.</summary>
    public nint Enter { get; private init; }
    /// <summary>Frees the shared frame, restores the dispatcher's registers and returns rax.</summary>
    public nint PopReturn { get; private init; }
    /// <summary>rax = next RIP, ecx = jump kind: leaves for the dispatcher with no chain site.</summary>
    public nint ExitWithKind { get; private init; }
    /// <summary>rax = next RIP, rcx = the exit's chain site: leaves for the dispatcher, which may chain the site.</summary>
    public nint UnchainedExit { get; private init; }
    /// <summary>rax = next RIP of an indirect exit, r11d = its jump kind: jumps to its translation when the lookup table has it.</summary>
    public nint Lookup { get; private init; }
    /// <summary>Lookup's way back to the dispatcher (rax = next RIP, r11d = kind); also the host of empty table entries.</summary>
    public nint LookupMiss { get; private init; }
    /// <summary>rax = guest instruction, rdx = faulting address: leaves with SigSegv (see <see cref="CodeCache.FaultExitStub"/>).</summary>
    public nint FaultExit { get; private init; }
    /// <summary>
    /// Where <see cref="CacheFaults"/> resumes a block whose guest access the host MMU refused (state->FaultHostRip and
    /// FaultAddr set): frees the block's own frame and leaves with SigSegv (SigBus) at the faulting guest instruction.
    /// </summary>
    public nint SegvTrampoline { get; private init; }
    public nint BusTrampoline { get; private init; }

    public static SharedStubs Emit(HostAssembler a, CodeCache cache)
    {
        var state = R64(BlockFrame.StateRegister);
        MemoryOperand Field(int offset) => new(state, offset);
        var budget = new MemoryOperand(Register.RIP, (long)cache.BudgetAddress);
        nint At() => (nint)a.Position;

        nint popReturn = At();
        a.Emit(Instruction.Create(Code.Add_rm64_imm32, Register.RSP, BlockFrame.Size));
        for (int k = BlockFrame.SavedRegisters.Length - 1; k >= 0; k--) a.Emit(Instruction.Create(Code.Pop_r64, R64(BlockFrame.SavedRegisters[k])));
        a.Emit(Instruction.Create(Code.Retnq));

        nint enter = At();
        foreach (int r in BlockFrame.SavedRegisters) a.Emit(Instruction.Create(Code.Push_r64, R64(r)));
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, state, Register.RDI));
        a.Emit(Instruction.Create(Code.Sub_rm64_imm32, Register.RSP, BlockFrame.Size));
        a.Emit(Instruction.Create(Code.Mov_rm32_imm32, budget, CodeCache.ChainBudget));
        a.Emit(Instruction.Create(Code.Jmp_rm64, Register.RSI));

        nint exitWithKind = At();
        a.Emit(Instruction.Create(Code.Mov_rm64_r64, Field(GuestState.OffRip), Register.RAX));
        a.Emit(Instruction.Create(Code.Mov_rm64_r64, Field(GuestState.OffExitKind), Register.RCX));
        a.Emit(Instruction.Create(Code.Mov_rm64_imm32, Field(GuestState.OffExitAddr), 0));
        a.Jump((ulong)popReturn);

        nint unchainedExit = At();
        a.Emit(Instruction.Create(Code.Mov_rm64_r64, Field(GuestState.OffRip), Register.RAX));
        a.Emit(Instruction.Create(Code.Mov_rm64_imm32, Field(GuestState.OffExitKind), (int)JumpKind.Boring));
        a.Emit(Instruction.Create(Code.Mov_rm64_r64, Field(GuestState.OffExitAddr), Register.RCX));
        a.Jump((ulong)popReturn);

        nint faultExit = At();
        a.Emit(Instruction.Create(Code.Mov_rm64_r64, Field(GuestState.OffFaultAddr), Register.RDX));
        a.Emit(Instruction.Create(Code.Mov_r32_imm32, Register.ECX, (uint)JumpKind.SigSegv));
        a.Jump((ulong)exitWithKind);

        nint busTrampoline = At();
        a.Emit(Instruction.Create(Code.Mov_r32_imm32, Register.R11D, (uint)JumpKind.SigBus));
        int common = a.NewLabel();
        a.Jump(common);
        nint segvTrampoline = At();
        a.Emit(Instruction.Create(Code.Mov_r32_imm32, Register.R11D, (uint)JumpKind.SigSegv));
        a.Bind(common);
        a.Emit(Instruction.Create(Code.Push_r64, Register.R11));
        a.Emit(Instruction.Create(Code.Sub_rm64_imm32, Register.RSP, 8));
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDI, state));
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RSI, Field(GuestState.OffFaultHostRip)));
        a.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.RAX, (ulong)(delegate* unmanaged<GuestState*, ulong, ulong>)&CacheFaults.FaultedInstruction));
        a.Emit(Instruction.Create(Code.Call_rm64, Register.RAX));
        a.Emit(Instruction.Create(Code.Add_rm64_imm32, Register.RSP, 8));
        a.Emit(Instruction.Create(Code.Pop_r64, Register.RCX));
        a.Emit(Instruction.Create(Code.Add_r64_rm64, Register.RSP, Register.RAX));
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RAX, Field(GuestState.OffRip)));
        a.Jump((ulong)exitWithKind);

        nint lookupMiss = At();
        a.Emit(Instruction.Create(Code.Mov_r32_rm32, Register.ECX, Register.R11D));
        a.Jump((ulong)exitWithKind);

        // The target's entry checks the budget, as every block entry does.
        nint lookup = At();
        a.Emit(Instruction.Create(Code.Mov_r32_rm32, Register.ECX, Register.EAX));
        a.Emit(Instruction.Create(Code.Mov_r32_rm32, Register.EDX, Register.EAX));
        a.Emit(Instruction.Create(Code.Shr_rm32_imm8, Register.EDX, 12));
        a.Emit(Instruction.Create(Code.Xor_r32_rm32, Register.ECX, Register.EDX));
        a.Emit(Instruction.Create(Code.And_rm32_imm32, Register.ECX, cache.LookupEntries - 1));
        a.Emit(Instruction.Create(Code.Shl_rm32_imm8, Register.ECX, 4));
        a.Emit(Instruction.Create(Code.Lea_r64_m, Register.RDX, new MemoryOperand(Register.RIP, (long)cache.LookupTable)));
        a.Emit(Instruction.Create(Code.Cmp_r64_rm64, Register.RAX, new MemoryOperand(Register.RDX, Register.RCX, 1)));
        a.Jcc(ConditionCode.ne, (ulong)lookupMiss);
        a.Emit(Instruction.Create(Code.Jmp_rm64, new MemoryOperand(Register.RDX, Register.RCX, 1, 8, 1)));

        a.Finish();
        return new SharedStubs
        {
            Enter = enter, PopReturn = popReturn, ExitWithKind = exitWithKind, UnchainedExit = unchainedExit,
            Lookup = lookup, LookupMiss = lookupMiss, FaultExit = faultExit,
            SegvTrampoline = segvTrampoline, BusTrampoline = busTrampoline,
        };
    }
}

/// <summary>
/// The access-check routines of one <see cref="BackendContext"/>: they embed its page map or the tool's
/// addressability map and slow path, so they are made per context, in its cache, when first needed (and again
/// after the cache is flushed). All keep every register a block may hold a temp in.
/// </summary>
internal sealed unsafe class AccessRoutines
{
    /// <summary>rax = address, r11 = size - 1: ZF clear when the pages of the first and last byte are readable. Clobbers rcx, rdx, r11.</summary>
    public nint PageRead { get; private init; }
    public nint PageWrite { get; private init; }
    /// <summary>rax = address, r11 = size (at least 1): ZF set when a byte is not addressable. Clobbers rcx, rdx, r11.</summary>
    public nint AddressableRange { get; private init; }
    /// <summary>
    /// rax = address, edx = size, ecx = 1 for a store, r11 = guest RIP: the tool's slow path, with ZF set when it
    /// allows the access. Keeps rax and every allocatable register.
    /// </summary>
    public nint SlowPath { get; private init; }
    /// <summary>The cache generation these were placed in; stale once the cache is flushed.</summary>
    public long Generation { get; private init; }

    public static AccessRoutines Emit(HostAssembler a, BackendContext ctx)
    {
        nint pageRead = (nint)a.Position;
        PageCheck(a, ctx.PageMapLevel1, mask: 1);
        nint pageWrite = (nint)a.Position;
        PageCheck(a, ctx.PageMapLevel1, mask: 2);
        nint range = 0, slow = 0;
        if (ctx.AccessCheck is { } check)
        {
            range = (nint)a.Position;
            AddressableRangeRoutine(a, check.Primary);
            slow = (nint)a.Position;
            SlowPathRoutine(a, check);
        }
        a.Finish();
        return new AccessRoutines
        {
            PageRead = pageRead, PageWrite = pageWrite, AddressableRange = range, SlowPath = slow, Generation = ctx.Cache.Generation,
        };
    }

    private static void PageCheck(HostAssembler a, nint level1, int mask)
    {
        int refused = a.NewLabel(), allowed = a.NewLabel();
        a.Emit(Instruction.Create(Code.Lea_r64_m, Register.R11, new MemoryOperand(Register.RAX, Register.R11, 1)));
        PageOf(a, Rax, level1, mask, refused);
        // The last byte on the same page needs no second look.
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, Register.R11));
        a.Emit(Instruction.Create(Code.Xor_r64_rm64, Register.RCX, Register.RAX));
        a.Emit(Instruction.Create(Code.Shr_rm64_imm8, Register.RCX, 12));
        a.Jcc(ConditionCode.e, allowed);
        PageOf(a, R11, level1, mask, refused);
        a.Bind(allowed);
        a.Emit(Instruction.Create(Code.Test_rm64_r64, Register.RSP, Register.RSP));
        a.Emit(Instruction.Create(Code.Retnq));
        a.Bind(refused);
        a.Emit(Instruction.Create(Code.Xor_r32_rm32, Register.ECX, Register.ECX));
        a.Emit(Instruction.Create(Code.Retnq));
    }

    /// <summary>Jumps to <paramref name="refused"/> unless the page of the address in <paramref name="reg"/> has <paramref name="mask"/>. Clobbers rcx, rdx.</summary>
    private static void PageOf(HostAssembler a, int reg, nint level1, int mask, int refused)
    {
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RCX, R64(reg)));
        a.Emit(Instruction.Create(Code.Shr_rm64_imm8, Register.RCX, 28));
        a.Emit(Instruction.Create(Code.Cmp_rm64_imm32, Register.RCX, 1 << 19));
        a.Jcc(ConditionCode.ae, refused);
        a.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.RDX, (ulong)level1));
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDX, new MemoryOperand(Register.RDX, Register.RCX, 8)));
        a.Emit(Instruction.Create(Code.Test_rm64_r64, Register.RDX, Register.RDX));
        a.Jcc(ConditionCode.e, refused);
        a.Emit(Instruction.Create(Code.Mov_r32_rm32, Register.ECX, R(reg, 4)));
        a.Emit(Instruction.Create(Code.Shr_rm32_imm8, Register.ECX, 12));
        a.Emit(Instruction.Create(Code.Movzx_r32_rm16, Register.ECX, Register.CX));
        a.Emit(Instruction.Create(Code.Test_rm8_imm8, new MemoryOperand(Register.RDX, Register.RCX, 1), mask));
        a.Jcc(ConditionCode.e, refused);
    }

    private static void AddressableRangeRoutine(HostAssembler a, nint primary)
    {
        int next = a.NewLabel(), refused = a.NewLabel();
        a.Emit(Instruction.Create(Code.Push_r64, Register.RSI));
        a.Emit(Instruction.Create(Code.Push_r64, Register.RDI));
        a.Emit(Instruction.Create(Code.Lea_r64_m, Register.RSI, new MemoryOperand(Register.RAX, Register.R11, 1)));
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDI, Register.RAX));
        a.Bind(next);
        AddressabilityCode.SecondaryOf(a, Rdi, primary, refused);
        a.Emit(Instruction.Create(Code.Movzx_r32_rm16, Register.ECX, Register.DI));
        a.Emit(Instruction.Create(Code.Shr_rm32_imm8, Register.ECX, 2));
        a.Emit(Instruction.Create(Code.Movzx_r32_rm8, Register.R11D, new MemoryOperand(Register.RDX, Register.RCX, 1)));
        AddressabilityCode.ShiftToField(a, Rdi);
        a.Emit(Instruction.Create(Code.Test_rm32_imm32, Register.R11D, 3));
        a.Jcc(ConditionCode.e, refused);
        a.Emit(Instruction.Create(Code.Inc_rm64, Register.RDI));
        a.Emit(Instruction.Create(Code.Cmp_r64_rm64, Register.RDI, Register.RSI));
        a.Jcc(ConditionCode.ne, next);
        a.Emit(Instruction.Create(Code.Pop_r64, Register.RDI));
        a.Emit(Instruction.Create(Code.Pop_r64, Register.RSI));
        a.Emit(Instruction.Create(Code.Test_rm64_r64, Register.RSP, Register.RSP));
        a.Emit(Instruction.Create(Code.Retnq));
        a.Bind(refused);
        a.Emit(Instruction.Create(Code.Pop_r64, Register.RDI));
        a.Emit(Instruction.Create(Code.Pop_r64, Register.RSI));
        a.Emit(Instruction.Create(Code.Xor_r32_rm32, Register.ECX, Register.ECX));
        a.Emit(Instruction.Create(Code.Retnq));
    }

    private static void SlowPathRoutine(HostAssembler a, Core.AccessCheck check)
    {
        // Temps may live in the caller-saved registers across a load or store: the call must not lose them.
        int[] kept = [Rax, Rsi, Rdi, R8, R9, R10];
        const int XmmSave = RegisterAllocator.XmmRegisters * 16;
        var state = R64(BlockFrame.StateRegister);
        a.Emit(Instruction.Create(Code.Mov_rm64_r64, new MemoryOperand(state, GuestState.OffRip), Register.R11));
        foreach (int r in kept) a.Emit(Instruction.Create(Code.Push_r64, R64(r)));
        // The return address and six pushes leave rsp 8 off the 16-byte alignment calls need.
        a.Emit(Instruction.Create(Code.Sub_rm64_imm32, Register.RSP, XmmSave + 8));
        for (int x = 0; x < RegisterAllocator.XmmRegisters; x++)
            a.Emit(Instruction.Create(Code.Movups_xmmm128_xmm, new MemoryOperand(Register.RSP, 16 * x), Register.XMM0 + x));
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RDI, state));
        a.Emit(Instruction.Create(Code.Mov_r64_rm64, Register.RSI, Register.RAX));
        a.Emit(Instruction.Create(Code.Mov_r64_imm64, Register.R11, (ulong)check.SlowPath.Function));
        a.Emit(Instruction.Create(Code.Call_rm64, Register.R11));
        for (int x = 0; x < RegisterAllocator.XmmRegisters; x++)
            a.Emit(Instruction.Create(Code.Movups_xmm_xmmm128, Register.XMM0 + x, new MemoryOperand(Register.RSP, 16 * x)));
        a.Emit(Instruction.Create(Code.Test_rm64_r64, Register.RAX, Register.RAX));
        a.Emit(Instruction.Create(Code.Lea_r64_m, Register.RSP, new MemoryOperand(Register.RSP, XmmSave + 8)));
        for (int k = kept.Length - 1; k >= 0; k--) a.Emit(Instruction.Create(Code.Pop_r64, R64(kept[k])));
        a.Emit(Instruction.Create(Code.Retnq));
    }
}
