using Iced.Intel;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Tests.Cpu.Vector;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>ldmxcsr/stmxcsr and their VEX forms against the CPU, and the #GP of a reserved bit.</summary>
[TestFixture]
public sealed unsafe class MxcsrTests : VectorRunnerFixture
{
    private static byte[] Encode(Code code) => VectorForm.Bytes(Instruction.Create(code, new MemoryOperand(Register.RSI)));

    private VectorImage Start(uint mxcsr)
    {
        var image = new VectorImage { Rflags = 0x202, Mxcsr = mxcsr };
        image.Gpr[VectorImage.Rsi] = (ulong)Memory;
        return image;
    }

    [Test]
    public void Ldmxcsr_sets_mxcsr_as_the_cpu_does([Values(0x1F80u, 0x3F80u, 0x5F80u, 0x7F80u, 0x9FC0u, 0x1F3Fu)] uint value,
        [Values(Code.Ldmxcsr_m32, Code.VEX_Vldmxcsr_m32)] Code code)
    {
        var bytes = Encode(code);
        var native = Start(0x1F80);
        *(uint*)Memory = value;
        Native.Run(bytes, &native);
        var lifted = Start(0x1F80);
        Assert.That(Lifted.Interpret(bytes, &lifted, out var exit), Is.True);
        Assert.That(exit.Kind, Is.EqualTo(JumpKind.Boring));
        Assert.That(lifted.Mxcsr, Is.EqualTo(native.Mxcsr));
    }

    [Test]
    public void Stmxcsr_stores_mxcsr_as_the_cpu_does([Values(0x1F80u, 0x7F80u, 0xFFFFu)] uint value,
        [Values(Code.Stmxcsr_m32, Code.VEX_Vstmxcsr_m32)] Code code)
    {
        var bytes = Encode(code);
        var native = Start(value);
        *(uint*)Memory = 0;
        Native.Run(bytes, &native);
        uint nativeStored = *(uint*)Memory;
        var lifted = Start(value);
        *(uint*)Memory = 0;
        Assert.That(Lifted.Interpret(bytes, &lifted, out _), Is.True);
        Assert.That(*(uint*)Memory, Is.EqualTo(nativeStored));
    }

    [Test]
    public void Ldmxcsr_with_reserved_bits_faults_and_keeps_mxcsr()
    {
        var lifted = Start(0x1F80);
        *(uint*)Memory = 0x10000 | 0x1F80;
        Assert.That(Lifted.Interpret(Encode(Code.Ldmxcsr_m32), &lifted, out var exit), Is.True);
        Assert.That(exit, Is.EqualTo(new BlockExit(VectorLiftedRunner.Ip, JumpKind.SigSegv)));
        Assert.That(lifted.Mxcsr, Is.EqualTo(0x1F80u));
    }
}
