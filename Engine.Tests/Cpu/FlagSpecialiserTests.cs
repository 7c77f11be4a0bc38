using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.Cpu;

/// <summary>The specialised block computes the same conditions as the helper calls it replaces.</summary>
public unsafe class FlagSpecialiserTests
{
    private const ulong At = 0x401000;

    private static readonly (string Name, Action<Assembler> Emit)[] Setters =
    [
        ("cmp rax,rdx", a => a.cmp(rax, rdx)), ("cmp eax,edx", a => a.cmp(eax, edx)), ("cmp ax,dx", a => a.cmp(ax, dx)),
        ("cmp al,dl", a => a.cmp(al, dl)), ("sub rax,rdx", a => a.sub(rax, rdx)), ("test rax,rdx", a => a.test(rax, rdx)),
        ("test cl,cl", a => a.test(cl, cl)), ("and eax,edx", a => a.and(eax, edx)), ("add rax,rdx", a => a.add(rax, rdx)),
        ("add al,dl", a => a.add(al, dl)), ("inc eax", a => a.inc(eax)), ("dec rax", a => a.dec(rax)), ("stc", a => a.stc()),
        ("popcnt rax,rdx", a => a.popcnt(rax, rdx)), ("stc; inc eax", a => { a.stc(); a.inc(eax); }),
        ("shr rax,3", a => a.shr(rax, 3)), ("sar dx,1", a => a.sar(dx, 1)), ("shl eax,cl", a => a.shl(eax, cl)),
        ("add rax,rdx; dec rax", a => { a.add(rax, rdx); a.dec(rax); }),
    ];

    private static IEnumerable<TestCaseData> Cases() =>
        Setters.Select(s => new TestCaseData(s.Name).SetName($"Specialised conditions after {s.Name} match the helper"));

    [Test]
    public void BlockWhoseConditionsAreAlreadySpecialisedIsNotRewrittenAgain()
    {
        // A condition read through the state after a cmp: its operation is known once the Get is propagated.
        var sb = new Superblock(At);
        sb.IMark(At, 3);
        sb.Put(GuestState.OffCcOp, IrValue.U64((ulong)CcOp.Sub64));
        sb.Put(GuestState.OffCcDep1, sb.Get(GuestState.OffRax, IrType.I64));
        sb.Put(GuestState.OffCcDep2, sb.Get(GuestState.OffRdx, IrType.I64));
        var condition = FlagHelpers.Condition[(int)X86Condition.E];
        var args = new[] { GuestState.OffCcOp, GuestState.OffCcDep1, GuestState.OffCcDep2, GuestState.OffCcNdep }.Select(o => sb.Get(o, IrType.I64));
        sb.Put(GuestState.OffRcx, sb.Call(condition, [.. args]));
        sb.Next = IrValue.U64(At + 3);
        ConstantFolder.Run(sb);
        RedundantGetElimination.Run(sb);
        ConstantFolder.Run(sb);

        var once = FlagSpecialiser.Rewrite(sb);

        Assert.That(once, Is.Not.Null);
        Assert.That(FlagSpecialiser.Rewrite(new Optimiser().Run(once!)), Is.Null);
    }

    [TestCaseSource(nameof(Cases))]
    public void Specialised_conditions_match_the_helper(string setter)
    {
        var emit = Setters.Single(s => s.Name == setter).Emit;
        var code = BufferCodeSource.Assemble(At, a =>
        {
            emit(a);
            // All sixteen conditions into bytes of r8..r15 and rbx..rsi via setcc/cmovcc.
            a.seto(r8b); a.setno(r9b); a.setb(r10b); a.setae(r11b); a.sete(r12b); a.setne(r13b); a.setbe(r14b); a.seta(r15b);
            a.sets(bl); a.setns(bh); a.setp(cl); a.setnp(ch); a.setl(sil); a.setge(dil); a.setle(bpl);
            a.cmovg(rsp, rdx);
        });
        var plain = new Lifter(code).Lift(At);
        var specialised = FlagSpecialiser.Specialise(new Lifter(code).Lift(At));

        int helperCalls = specialised.Statements.ToArray().Count(s => s.Kind == StmtKind.Call && s.Helper is { } h && FlagHelpers.ConditionOf(h) != null);
        if (setter.StartsWith("cmp") || setter.StartsWith("test"))
            Assert.That(helperCalls, Is.LessThanOrEqualTo(4), "cmp/test conditions other than O/P become comparisons");

        var rng = new Random(setter.GetHashCode() & 0xFFFF);
        var a = stackalloc GuestState[1];
        var b = stackalloc GuestState[1];
        for (int round = 0; round < 500; round++)
        {
            a->Reset();
            for (int i = 0; i < 16; i++) a->Gpr[i] = DifferentialHarness.Value(rng);
            if (rng.Next(4) == 0) a->Gpr[2] = a->Gpr[0];
            a->CcOp = (ulong)CcOp.Copy;
            a->CcDep1 = (ulong)rng.NextInt64() & X86Flags.Oszapc;
            *b = *a;
            var interpreter = new IrInterpreter();
            interpreter.Run(plain, a, new RangeGuard(0, 0));
            interpreter.Run(specialised, b, new RangeGuard(0, 0));
            for (int i = 0; i < 16; i++)
                Assert.That(b->Gpr[i], Is.EqualTo(a->Gpr[i]), $"register {i}, round {round}\n{specialised}");
        }
    }
}
