using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Ir;

/// <summary>A native buffer the guest may read and write, with a guard that allows exactly that buffer.</summary>
internal sealed unsafe class TestMemory : IGuestMemoryGuard, IDisposable
{
    public byte* Base { get; }
    public int Size { get; }
    public ulong Address => (ulong)Base;

    public TestMemory(int size)
    {
        Size = size;
        Base = (byte*)NativeMemory.AllocZeroed((nuint)size);
    }

    public bool ReadOnly { get; set; }

    public bool CanRead(ulong address, int size) => address >= Address && address + (ulong)size <= Address + (ulong)Size;
    public bool CanWrite(ulong address, int size) => !ReadOnly && CanRead(address, size);

    public void Dispose() => NativeMemory.Free(Base);
}

/// <summary>A zeroed, natively allocated guest state (the JIT and interpreter need a fixed address).</summary>
internal sealed unsafe class TestState : IDisposable
{
    public GuestState* State { get; }

    public TestState()
    {
        State = (GuestState*)NativeMemory.AllocZeroed(GuestState.BlockSize);
        State->Reset();
    }

    public Span<byte> Bytes => new(State, GuestState.Size);

    public void Dispose() => NativeMemory.Free(State);
}

/// <summary>A guard for blocks that must not touch memory.</summary>
internal sealed class NoMemory : IGuestMemoryGuard
{
    public static readonly NoMemory Instance = new();
    public bool CanRead(ulong address, int size) => false;
    public bool CanWrite(ulong address, int size) => false;
}
