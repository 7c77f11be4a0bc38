using System.Runtime.InteropServices;

namespace Memcheck.Engine.Tests.Cpu.Vector;

/// <summary>
/// The native and lifted runners and a 64-byte-aligned memory area (operands in it; its last 16 bytes are the
/// lifted guest's stack top), shared by a fixture's tests.
/// </summary>
public abstract unsafe class VectorRunnerFixture
{
    /// <summary>Bytes of the memory area.</summary>
    protected virtual int MemoryBytes => 128;

    private protected VectorNativeRunner Native { get; private set; } = null!;
    private protected VectorLiftedRunner Lifted { get; private set; } = null!;
    protected byte* Memory { get; private set; }

    [OneTimeSetUp]
    public void CreateRunners()
    {
        Memory = (byte*)NativeMemory.AlignedAlloc((nuint)MemoryBytes, 64);
        Native = new VectorNativeRunner();
        Lifted = new VectorLiftedRunner(Memory, MemoryBytes);
    }

    [OneTimeTearDown]
    public void DisposeRunners()
    {
        Native.Dispose();
        Lifted.Dispose();
        NativeMemory.AlignedFree(Memory);
    }
}
