using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.MemcheckTool.Instrumentation;

/// <summary>The undefined-value errors instrumented code reports, where memcheck reports them.</summary>
public unsafe class CheckTests
{
    private VBitMachine _m = null!;

    [SetUp]
    public void Create() => _m = new VBitMachine();

    [TearDown]
    public void Dispose() => _m.Dispose();

    internal static void BranchOver(Assembler a, Action<Assembler> compare)
    {
        var skip = a.CreateLabel();
        compare(a);
        a.je(skip);
        a.nop();
        a.Label(ref skip);
        a.nop();
    }

    [Test]
    public void AConditionalJumpOnAnUndefinedCompareIsReportedAtTheJump()
    {
        _m.SetGpr(Register.RAX, 5, vbits: 0x100);
        _m.Run(a => BranchOver(a, x => x.cmp(rax, 5)));
        Assert.That(_m.Tool.Reports, Is.EqualTo(new[] { new Report("cond", 0, _m.AddressOf(Mnemonic.Je)) }));
    }

    [Test]
    public void ADefinedDifferenceDecidesEqualityWhateverTheUndefinedBits()
    {
        // test al, al: bit 0 is a defined 1, so al != 0 whatever bits 1-7 hold.
        _m.SetGpr(Register.RAX, 0x01, vbits: 0xFE);
        _m.Run(a => BranchOver(a, x => x.test(al, al)));
        Assert.That(_m.Tool.Reports, Is.Empty);
    }

    [Test]
    public void AnUndefinedOrderedCompareIsReported()
    {
        _m.SetGpr(Register.RAX, 5, vbits: 0x1);
        _m.SetGpr(Register.RBX, 9);
        _m.Run(a =>
        {
            var skip = a.CreateLabel();
            a.cmp(rax, rbx);
            a.jb(skip);
            a.nop();
            a.Label(ref skip);
            a.nop();
        });
        Assert.That(_m.Tool.Reports, Is.EqualTo(new[] { new Report("cond", 0, _m.AddressOf(Mnemonic.Jb)) }));
    }

    [Test]
    public void AnUndefinedLoadAddressIsReportedOnceAsAValueOfSize8()
    {
        _m.SetGpr(Register.RDI, _m.At(0), vbits: 0x4);
        _m.Run(a =>
        {
            a.mov(rax, __qword_ptr[rdi]);
            a.mov(__qword_ptr[rdi + 8], rax);
        });
        Assert.That(_m.Tool.Reports, Is.EqualTo(new[] { new Report("value", 8, _m.AddressOf(Mnemonic.Mov)) }),
            "the second access uses the same address temp, which counts as defined after the first report");
    }

    [Test]
    public void AnUndefinedStoreAddressIsReported()
    {
        _m.SetGpr(Register.RDI, _m.At(0), vbits: ulong.MaxValue);
        _m.Run(a => a.mov(__dword_ptr[rdi], 1));
        Assert.That(_m.Tool.Reports, Is.EqualTo(new[] { new Report("value", 8, _m.AddressOf(Mnemonic.Mov)) }));
    }

    [Test]
    public void AnIndirectJumpToAnUndefinedTargetIsReported()
    {
        _m.SetGpr(Register.RBX, 0, vbits: 0x10);
        _m.Run(a =>
        {
            var end = a.CreateLabel();
            a.lea(rax, __[end]);
            a.xor(rax, rbx);
            a.jmp(rax);
            a.Label(ref end);
            a.nop();
        });
        Assert.That(_m.Tool.Reports, Is.EqualTo(new[] { new Report("value", 8, _m.AddressOf(Mnemonic.Jmp)) }));
    }

    [Test]
    public void ARetToAnUndefinedAddressIsReportedAsAValueOfSize8()
    {
        ulong stack = _m.At(256);
        *(ulong*)stack = VBitMachine.CodeAddress + 1; // just past the ret
        _m.Tool.Shadow.SetVBits(stack, 1, 0xFF);
        _m.SetGpr(Register.RSP, stack);
        _m.Run(a => a.ret());
        Assert.That(_m.Tool.Reports, Is.EqualTo(new[] { new Report("value", 8, VBitMachine.CodeAddress) }));
    }

    [Test]
    public void ADivisionByAnUndefinedDivisorIsNotReported()
    {
        _m.SetGpr(Register.RAX, 100);
        _m.SetGpr(Register.RDX, 0);
        _m.SetGpr(Register.RCX, 7, vbits: 0x100);
        _m.Run(a => a.div(rcx));
        Assert.That(_m.Tool.Reports, Is.Empty, "Valgrind divides natively and reports nothing");
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(ulong.MaxValue));
    }
}
