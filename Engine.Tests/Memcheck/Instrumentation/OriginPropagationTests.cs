using Iced.Intel;
using Memcheck.Engine.Tools.Memcheck.Origins;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.MemcheckTool.Instrumentation;

/// <summary>
/// Origin tags following values through real instruction sequences, lifted, instrumented with --track-origins=yes
/// and interpreted: into and out of memory and registers, through operations, and into the reports.
/// </summary>
public unsafe class OriginPropagationTests
{
    private const uint Heap = 4 | 1, Stack = 8 | 2, Later = 12 | 1;
    private VBitMachine _m = null!;

    [SetUp]
    public void Create() => _m = new VBitMachine(trackOrigins: true);

    [TearDown]
    public void Dispose() => _m.Dispose();

    private OriginMemory Origins => _m.Tool.Shadow.Origins!;

    private static void BranchOnRax(Assembler a) => CheckTests.BranchOver(a, x => x.cmp(rax, 5));

    [Test]
    public void ABranchOnALoadedUndefinedValueNamesTheOriginOfTheMemory()
    {
        _m.Tool.Shadow.MakeUndefined(_m.At(16), 8, Heap);
        _m.SetGpr(Register.RDI, _m.At(16));
        _m.Run(a =>
        {
            a.mov(rax, __qword_ptr[rdi]);
            BranchOnRax(a);
        });
        Assert.That(_m.Tool.Reports, Is.EqualTo(new[] { new Report("cond", 0, _m.AddressOf(Mnemonic.Je), Heap) }));
    }

    [Test]
    public void AnOperationTakesTheLargerOriginOfItsOperandsWhateverTheirDefinedness()
    {
        _m.SetGpr(Register.RAX, 1, vbits: 0xFF);
        _m.SetOrigin(Register.RAX, Heap);
        _m.SetGpr(Register.RBX, 2);
        _m.SetOrigin(Register.RBX, Later);
        _m.Run(a =>
        {
            a.add(rax, rbx);
            BranchOnRax(a);
        });
        Assert.That(_m.Tool.Reports.Single().Origin, Is.EqualTo(Later), "rbx is defined but its tag is the more recent");
    }

    [Test]
    public void AnUndefinedAddressIsReportedWithItsOrigin()
    {
        _m.SetGpr(Register.RDI, _m.At(0), vbits: 0x4);
        _m.SetOrigin(Register.RDI, Stack);
        _m.Run(a => a.mov(rax, __qword_ptr[rdi]));
        Assert.That(_m.Tool.Reports, Is.EqualTo(new[] { new Report("value", 8, _m.AddressOf(Mnemonic.Mov), Stack) }));
    }

    [Test]
    public void AStoreWritesTheValuesOriginEvenWhenTheValueIsDefined()
    {
        _m.Tool.Shadow.MakeUndefined(_m.At(0), 8, Heap);
        _m.SetGpr(Register.RAX, 7);
        _m.SetOrigin(Register.RAX, Stack);
        _m.SetGpr(Register.RDI, _m.At(0));
        _m.Run(a => a.mov(__byte_ptr[rdi], al));
        Assert.That(Origins.Load(_m.At(1), 1), Is.EqualTo(Stack), "the stored byte renames its word's undefined neighbours");
        Assert.That(Origins.Load(_m.At(4), 1), Is.EqualTo(Heap), "the next word is untouched");
    }

    [Test]
    public void AStoreOfAValueWithoutOriginLeavesItsBytesWithout()
    {
        _m.Tool.Shadow.MakeUndefined(_m.At(0), 8, Heap);
        _m.SetGpr(Register.RDI, _m.At(0));
        _m.Run(a => a.mov(__dword_ptr[rdi], 0));
        Assert.That(Origins.Load(_m.At(0), 4), Is.EqualTo(OriginTags.None));
        Assert.That(Origins.Load(_m.At(4), 4), Is.EqualTo(Heap));
    }

    [Test]
    public void WritingPartOfARegisterGivesTheWholeRegisterThatOrigin()
    {
        _m.Tool.Shadow.MakeUndefined(_m.At(0), 1, Heap);
        _m.SetOrigin(Register.RAX, Later);
        _m.SetGpr(Register.RDI, _m.At(0));
        _m.Run(a => a.mov(al, __byte_ptr[rdi]));
        Assert.That(_m.Origin(Register.RAX), Is.EqualTo(Heap));
    }

    [TestCase("bl", Heap)]
    [TestCase("bh", OriginTags.None)]
    public void AHighByteRegisterCarriesNoOrigin(string part, uint expected)
    {
        _m.Tool.Shadow.MakeUndefined(_m.At(0), 8, Heap);
        _m.SetGpr(Register.RDI, _m.At(0));
        _m.Run(a =>
        {
            a.mov(rbx, __qword_ptr[rdi]);
            CheckTests.BranchOver(a, x =>
            {
                if (part == "bl") x.and(bl, 0x80);
                else x.and(bh, 0x80);
            });
        });
        Assert.That(_m.Tool.Reports.Single().Origin, Is.EqualTo(expected), "as measured under Valgrind");
    }

    [Test]
    public void OriginsTravelThroughVectorRegisters()
    {
        _m.Tool.Shadow.MakeUndefined(_m.At(8), 8, Heap);
        _m.SetGpr(Register.RDI, _m.At(0));
        _m.Run(a =>
        {
            a.movdqu(xmm1, __xmmword_ptr[rdi]);
            a.movdqu(__xmmword_ptr[rdi + 64], xmm1);
        });
        Assert.That(_m.Origin(Register.XMM1), Is.EqualTo(Heap));
        Assert.That(Origins.Load(_m.At(64), 1), Is.EqualTo(Heap), "one tag for the whole vector, stored in each word");
    }

    [Test]
    public void AHelperCallsOutputsTakeTheOriginOfItsInputs()
    {
        _m.SetGpr(Register.RAX, 1, vbits: 1);
        _m.SetOrigin(Register.RAX, Stack);
        _m.SetGpr(Register.RSP, _m.At(2048));
        _m.Run(a =>
        {
            a.add(rax, rax);
            a.pushfq();
            a.pop(rcx);
        });
        Assert.That(_m.Origin(Register.RCX), Is.EqualTo(Stack), "the flags computed from rax");
    }
}
