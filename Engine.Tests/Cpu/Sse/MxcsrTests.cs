using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>ldmxcsr/stmxcsr against the CPU, and the #GP of ldmxcsr on reserved bits.</summary>
[TestFixture]
public sealed unsafe class MxcsrTests
{
    private NativeRunner _native = null!;
    private LiftedRunner _lifted = null!;
    private uint* _memory;

    [OneTimeSetUp]
    public void SetUp()
    {
        _native = new NativeRunner();
        _lifted = new LiftedRunner();
        _memory = (uint*)NativeMemory.AlignedAlloc(16, 16);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        _native.Dispose();
        _lifted.Dispose();
        NativeMemory.AlignedFree(_memory);
    }

    private static byte[] Encode(Code code)
    {
        var writer = new ByteList();
        Encoder.Create(64, writer).Encode(Instruction.Create(code, new MemoryOperand(Register.RSI)), LiftedRunner.Ip);
        return [.. writer.Bytes];
    }

    private CpuImage Start(uint mxcsr)
    {
        var image = new CpuImage { Rflags = 0x202, Mxcsr = mxcsr };
        image.Gpr[CpuImage.Gprs.Length - 1] = (ulong)_memory;
        return image;
    }

    [TestCase(0x1F80u), TestCase(0x3F80u), TestCase(0x5F80u), TestCase(0x7F80u), TestCase(0x9FC0u), TestCase(0x1F3Fu)]
    public void Ldmxcsr_sets_mxcsr_as_the_cpu_does(uint value)
    {
        var bytes = Encode(Code.Ldmxcsr_m32);
        var native = Start(0x1F80);
        *_memory = value;
        _native.Run(bytes, &native);
        var lifted = Start(0x1F80);
        Assert.That(_lifted.Run(bytes, &lifted, new BufferGuard((ulong)_memory, 16), out var exit), Is.True);
        Assert.That(exit.Kind, Is.EqualTo(JumpKind.Boring));
        Assert.That(lifted.Mxcsr, Is.EqualTo(native.Mxcsr));
    }

    [TestCase(0x1F80u), TestCase(0x7F80u), TestCase(0xFFFFu)]
    public void Stmxcsr_stores_mxcsr_as_the_cpu_does(uint value)
    {
        var bytes = Encode(Code.Stmxcsr_m32);
        var native = Start(value);
        *_memory = 0;
        _native.Run(bytes, &native);
        uint nativeStored = *_memory;
        var lifted = Start(value);
        *_memory = 0;
        Assert.That(_lifted.Run(bytes, &lifted, new BufferGuard((ulong)_memory, 16), out _), Is.True);
        Assert.That(*_memory, Is.EqualTo(nativeStored));
    }

    [Test]
    public void Ldmxcsr_with_reserved_bits_faults_and_keeps_mxcsr()
    {
        var lifted = Start(0x1F80);
        *_memory = 0x10000 | 0x1F80;
        Assert.That(_lifted.Run(Encode(Code.Ldmxcsr_m32), &lifted, new BufferGuard((ulong)_memory, 16), out var exit), Is.True);
        Assert.That(exit, Is.EqualTo(new BlockExit(LiftedRunner.Ip, JumpKind.SigSegv)));
        Assert.That(lifted.Mxcsr, Is.EqualTo(0x1F80u));
    }

    private sealed class ByteList : CodeWriter
    {
        public List<byte> Bytes { get; } = [];
        public override void WriteByte(byte value) => Bytes.Add(value);
    }
}
