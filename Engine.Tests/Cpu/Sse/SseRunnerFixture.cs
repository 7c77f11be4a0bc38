using System.Runtime.InteropServices;

namespace Memcheck.Engine.Tests.Cpu.Sse;

/// <summary>The native and lifted runners and a 64-byte-aligned memory operand area, shared by a fixture's tests.</summary>
public abstract unsafe class SseRunnerFixture
{
    protected const int MemoryBytes = 64;

    private protected NativeRunner Native { get; private set; } = null!;
    private protected LiftedRunner Lifted { get; private set; } = null!;
    protected byte* Memory { get; private set; }

    [OneTimeSetUp]
    public void CreateRunners()
    {
        Native = new NativeRunner();
        Lifted = new LiftedRunner();
        Memory = (byte*)NativeMemory.AlignedAlloc(MemoryBytes, 64);
    }

    [OneTimeTearDown]
    public void DisposeRunners()
    {
        Native.Dispose();
        Lifted.Dispose();
        NativeMemory.AlignedFree(Memory);
    }
}
