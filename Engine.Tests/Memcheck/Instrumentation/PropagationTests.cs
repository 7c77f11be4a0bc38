using Iced.Intel;
using Memcheck.Engine.Tools.Memcheck.Instrumentation;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Tests.MemcheckTool.Instrumentation;

/// <summary>
/// V bits of results of real instruction sequences, lifted, instrumented and interpreted, against values worked
/// out by hand from memcheck's rules.
/// </summary>
public unsafe class PropagationTests
{
    private VBitMachine _m = null!;

    [SetUp]
    public void Create() => _m = new VBitMachine();

    [TearDown]
    public void Dispose() => _m.Dispose();

    [Test]
    public void NarrowAddSmearsAnUndefinedBitToEveryHigherBit()
    {
        _m.SetGpr(Register.RAX, 0x10, vbits: 0x04);
        _m.SetGpr(Register.RBX, 0x01);
        _m.Run(a => a.add(al, bl));
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(0xFCUL), "Left(0x04) within the byte; the rest of RAX untouched");
    }

    [Test]
    public void WideAddUsedAsDataIsExact()
    {
        // 0x1? + 0x100: only the low nibble can vary, and no carry can leave it.
        _m.SetGpr(Register.RAX, 0x10, vbits: 0x0F);
        _m.SetGpr(Register.RBX, 0x100);
        _m.Run(a => a.add(rax, rbx));
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(0x0FUL));
    }

    [Test]
    public void WideAddIsCheapWhenExpensiveChecksAreOff()
    {
        _m.Instrumenter = new VBitInstrumenter(_m.Tool.Shadow, ExpensiveChecks.No);
        _m.SetGpr(Register.RAX, 0x10, vbits: 0x0F);
        _m.SetGpr(Register.RBX, 0x100);
        _m.Run(a => a.add(rax, rbx));
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(ulong.MaxValue), "Left(0x0F) covers every bit from bit 0 up");
    }

    [Test]
    public void ExactAddSeesACarryThatMayLeaveTheUndefinedBits()
    {
        _m.SetGpr(Register.RAX, 0x0F, vbits: 0x01);
        _m.SetGpr(Register.RBX, 0x01);
        _m.Run(a => a.add(rax, rbx));
        // 0x0E+1 = 0x0F, 0x0F+1 = 0x10: bits 0-4 differ.
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(0x1FUL));
    }

    [Test]
    public void AndWithADefinedZeroIsDefined()
    {
        _m.SetGpr(Register.RAX, 0x1234, vbits: ulong.MaxValue);
        _m.Run(a => a.and(eax, 0xFF));
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(0xFFUL), "mask bits stay undefined, the rest is a defined 0");
    }

    [Test]
    public void OrWithADefinedOneIsDefined()
    {
        _m.SetGpr(Register.RAX, 0, vbits: 0xFFFF);
        _m.SetGpr(Register.RBX, 0xFF00);
        _m.Run(a => a.or(rax, rbx));
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(0x00FFUL));
    }

    [Test]
    public void XorOfUndefinedBitsIsUndefined()
    {
        _m.SetGpr(Register.RAX, 0, vbits: 0xF0);
        _m.SetGpr(Register.RBX, 0, vbits: 0x0F);
        _m.Run(a => a.xor(rax, rbx));
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(0xFFUL));
    }

    [Test]
    public void ShiftsByAConstantMoveTheVBits()
    {
        _m.SetGpr(Register.RAX, 0, vbits: 0x0F);
        _m.SetGpr(Register.RBX, 0, vbits: 0x8000_0000_0000_0000);
        _m.SetGpr(Register.RCX, 0, vbits: 0x0F);
        _m.Run(a =>
        {
            a.shl(rax, 4);
            a.sar(rbx, 4);
            a.ror(rcx, 4);
        });
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(0xF0UL));
        Assert.That(_m.GprVBits(Register.RBX), Is.EqualTo(0xF800_0000_0000_0000UL), "sar copies the sign bit's V bit");
        Assert.That(_m.GprVBits(Register.RCX), Is.EqualTo(0xF000_0000_0000_0000UL));
    }

    [Test]
    public void AShiftByAnUndefinedAmountIsWhollyUndefined()
    {
        _m.SetGpr(Register.RAX, 1);
        _m.SetGpr(Register.RCX, 3, vbits: 0x01);
        _m.Run(a => a.shl(rax, cl));
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(ulong.MaxValue));
    }

    [Test]
    public void ZeroExtensionDefinesTheHighBitsAndSignExtensionCopiesTheSignVBit()
    {
        _m.SetGpr(Register.RBX, 0x7F, vbits: 0x80);
        _m.Run(a =>
        {
            a.movzx(eax, bl);
            a.movsx(rcx, bl);
        });
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(0x80UL));
        Assert.That(_m.GprVBits(Register.RCX), Is.EqualTo(0xFFFF_FFFF_FFFF_FF80UL));
    }

    [Test]
    public void ThirtyTwoBitWritesDefineTheUpperHalf()
    {
        _m.SetGpr(Register.RAX, 0, vbits: ulong.MaxValue);
        _m.Run(a => a.mov(eax, 5));
        Assert.That(_m.GprVBits(Register.RAX), Is.Zero);
    }

    [Test]
    public void PcmpeqbPessimisesEachByteLaneAndPmovmskbKeepsLanesApart()
    {
        // Byte 3 of xmm0 has one undefined bit; xmm1 is defined.
        _m.SetXmm(0, 0x0011_2233_4455_6677, 0, vLo: 0x0100_0000);
        _m.SetXmm(1, 0x0011_2233_4455_6677, 0);
        _m.Run(a =>
        {
            a.pcmpeqb(xmm0, xmm1);
            a.pmovmskb(eax, xmm0);
        });
        Assert.That(_m.XmmVBits(0), Is.EqualTo((0xFF00_0000UL, 0UL)));
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(0x8UL), "only lane 3's mask bit is undefined");
    }

    [Test]
    public void X87ArithmeticIsPessimistic()
    {
        ulong at = _m.At(64);
        *(double*)at = 1.5;
        _m.Tool.Shadow.SetVBits(at, 8, 0x1);
        _m.SetGpr(Register.RDI, at);
        _m.Run(a =>
        {
            a.fld(__qword_ptr[rdi]);
            a.fadd(st0, st0);
            a.fstp(__qword_ptr[rdi + 8]);
        });
        Assert.That(_m.Tool.Shadow.GetVBits(at + 8, 8, out _), Is.EqualTo(ulong.MaxValue));
    }

    [Test]
    public void StoresAndLoadsCarryPartialVBitsThroughShadowMemory()
    {
        ulong at = _m.At(128);
        _m.Tool.Shadow.SetVBits(at, 8, 0x00FF_0000_0F00_0001);
        _m.SetGpr(Register.RDI, at);
        _m.Run(a =>
        {
            a.mov(rax, __qword_ptr[rdi]);
            a.mov(__qword_ptr[rdi + 16], rax);
            a.mov(ecx, __dword_ptr[rdi + 16]);
            a.movdqu(xmm2, __xmmword_ptr[rdi]);
            a.movdqu(__xmmword_ptr[rdi + 32], xmm2);
        });
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(0x00FF_0000_0F00_0001UL));
        Assert.That(_m.Tool.Shadow.GetVBits(at + 16, 8, out _), Is.EqualTo(0x00FF_0000_0F00_0001UL));
        Assert.That(_m.GprVBits(Register.RCX), Is.EqualTo(0x0F00_0001UL));
        Assert.That(_m.XmmVBits(2), Is.EqualTo((0x00FF_0000_0F00_0001UL, 0UL)));
        Assert.That(_m.Tool.Shadow.GetVBits(at + 32, 8, out _), Is.EqualTo(0x00FF_0000_0F00_0001UL));
        Assert.That(_m.Tool.Reports, Is.Empty, "copying undefined data is silent");
    }

    [Test]
    public void ACmovOnAnUndefinedConditionSpoilsItsResultSilently()
    {
        _m.SetGpr(Register.RAX, 1, vbits: 1);
        _m.SetGpr(Register.RBX, 7);
        _m.SetGpr(Register.RCX, 9);
        _m.Run(a =>
        {
            a.cmp(rax, 0);
            a.cmove(rcx, rbx);
        });
        Assert.That(_m.GprVBits(Register.RCX), Is.EqualTo(ulong.MaxValue));
        Assert.That(_m.Tool.Reports, Is.Empty, "Valgrind 3.19 reports no error for a cmov whose result is unused");
    }

    [Test]
    public void BsfDependsOnlyOnTheBitsUpToTheLowestSetOne()
    {
        _m.SetGpr(Register.RBX, 0b0100, vbits: 0xFF00);
        _m.SetGpr(Register.RCX, 0b0100, vbits: 0x0001);
        _m.Run(a =>
        {
            a.bsf(rax, rbx);
            a.bsf(rdx, rcx);
        });
        Assert.That(_m.GprVBits(Register.RAX), Is.Zero, "undefined bits above the lowest 1 cannot change the count");
        Assert.That(_m.GprVBits(Register.RDX), Is.EqualTo(ulong.MaxValue));
    }

    [Test]
    public void PshufbMovesVBitsWithTheBytesItSelects()
    {
        _m.SetXmm(0, 0, 0, vLo: 0xFF); // byte 0 undefined
        _m.SetXmm(1, 0x0000_0000_0000_0100, 0); // result byte 0 <- byte 0, byte 1 <- byte 1, others <- byte 0
        _m.Run(a => a.pshufb(xmm0, xmm1));
        Assert.That(_m.XmmVBits(0), Is.EqualTo((0xFFFF_FFFF_FFFF_00FFUL, ulong.MaxValue)));
    }

    [Test]
    public void CpuidDefinesItsOutputsFromDefinedInputs()
    {
        _m.SetGpr(Register.RAX, 0);
        _m.SetGpr(Register.RCX, 0);
        _m.SetGpr(Register.RBX, 0, vbits: ulong.MaxValue);
        _m.SetGpr(Register.RDX, 0, vbits: ulong.MaxValue);
        _m.Run(a => a.cpuid());
        Assert.That(_m.GprVBits(Register.RBX), Is.Zero);
        Assert.That(_m.GprVBits(Register.RDX), Is.Zero);
    }

    [Test]
    public void CpuidWithAnUndefinedLeafGivesUndefinedOutputs()
    {
        _m.SetGpr(Register.RAX, 0, vbits: 1);
        _m.SetGpr(Register.RCX, 0);
        _m.Run(a => a.cpuid());
        Assert.That(_m.GprVBits(Register.RBX), Is.EqualTo(ulong.MaxValue));
    }

    [TestCase(true, 0xFFFF_FFFF_0000_0000UL)]
    [TestCase(false, 0UL)]
    public void PartialLoadsOkReadsTheNoAccessBytesOfAnAlignedWordAsUndefined(bool partialLoadsOk, ulong expected)
    {
        ulong at = _m.At(512);
        _m.Tool.PartialLoadsOk = partialLoadsOk;
        _m.Tool.Shadow.MakeNoAccess(at + 4, 4);
        _m.SetGpr(Register.RDI, at);
        _m.Run(a => a.mov(rax, __qword_ptr[rdi]));
        Assert.That(_m.GprVBits(Register.RAX), Is.EqualTo(expected));
    }

    [Test]
    public void ShadowRegistersReadAndSetTheShadowState()
    {
        _m.SetGpr(Register.RSI, 0, vbits: 0x00FF);
        Assert.That(ShadowRegisters.VBits(_m.State, Memcheck.Engine.Cpu.GuestState.OffRsi, 8), Is.EqualTo(0xFFUL));
        Assert.That(ShadowRegisters.VBits(_m.State, Memcheck.Engine.Cpu.GuestState.OffRsi + 1, 1), Is.Zero);
        ShadowRegisters.SetVBits(_m.State, Memcheck.Engine.Cpu.GuestState.OffRsi, 4, 0);
        Assert.That(_m.GprVBits(Register.RSI), Is.Zero);
    }
}
