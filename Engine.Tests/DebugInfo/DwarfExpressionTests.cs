using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Tests.DebugInfo;

/// <summary>The CFI expressions gcc and glibc emit, evaluated as the DWARF stack machine defines them.</summary>
public class DwarfExpressionTests
{
    private const int Rsp = 7, Rip = 16;

    [TestCase(0x401020UL, 0x7008UL)] // first 11 bytes of a PLT entry: pushes nothing yet, CFA = rsp + 8
    [TestCase(0x40102aUL, 0x7008UL)]
    [TestCase(0x40102bUL, 0x7010UL)] // after its push: CFA = rsp + 16
    [TestCase(0x40102fUL, 0x7010UL)]
    public void PltCfaExpressionDependsOnTheOffsetInTheEntry(ulong rip, ulong cfa)
    {
        // The linker's .plt FDE: breg7(rsp)+8; breg16(rip)+0; lit15; and; lit11; ge; lit3; shl; plus.
        byte[] plt = [0x77, 0x08, 0x80, 0x00, 0x3f, 0x1a, 0x3b, 0x2a, 0x33, 0x24, 0x22];
        var regs = Registers(rsp: 0x7000, rip: rip);
        Assert.That(DwarfExpression.Evaluate(plt, regs, _ => null, null), Is.EqualTo(cfa));
    }

    [Test]
    public void SignalFrameCfaIsTheSavedStackPointerInTheUcontext()
    {
        // glibc's __restore_rt: CFA = *(rsp + 160), the interrupted rsp in uc_mcontext.
        byte[] cfaExpression = [0x77, 0xa0, 0x01, 0x06];
        var memory = new Dictionary<ulong, ulong> { [0x70a0] = 0x7ff0 };
        Assert.That(DwarfExpression.Evaluate(cfaExpression, Registers(rsp: 0x7000, rip: 0), a => memory.GetValueOrDefault(a), null), Is.EqualTo(0x7ff0UL));
    }

    [Test]
    public void ExpressionRulesStartWithTheCfaOnTheStack()
    {
        byte[] plusSixteen = [0x23, 0x10]; // plus_uconst 16
        Assert.That(DwarfExpression.Evaluate(plusSixteen, Registers(0, 0), _ => null, initial: 0x8000), Is.EqualTo(0x8010UL));
    }

    [Test]
    public void BranchSkipsWhenTheConditionIsTrue()
    {
        // lit1; bra +1; lit5 (skipped); lit7 -> 7
        byte[] expression = [0x31, 0x28, 0x01, 0x00, 0x35, 0x37];
        Assert.That(DwarfExpression.Evaluate(expression, Registers(0, 0), _ => null, null), Is.EqualTo(7UL));
    }

    [Test]
    public void UnknownRegisterOrUnreadableMemoryMakesTheValueUnknown()
    {
        var regs = Registers(rsp: 0x7000, rip: 0);
        Assert.That(DwarfExpression.Evaluate([0x73, 0x00], regs, _ => null, null), Is.Null);       // breg3 (rbx): unknown
        Assert.That(DwarfExpression.Evaluate([0x77, 0x00, 0x06], regs, _ => null, null), Is.Null); // deref of unreadable memory
        Assert.That(DwarfExpression.Evaluate([0x57], regs, _ => null, null), Is.Null);             // reg7: a location, not a value
    }

    private static ulong?[] Registers(ulong rsp, ulong rip)
    {
        var regs = new ulong?[UnwindRow.RegisterCount];
        regs[Rsp] = rsp;
        regs[Rip] = rip;
        return regs;
    }
}
