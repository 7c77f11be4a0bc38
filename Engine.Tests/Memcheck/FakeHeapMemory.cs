using System.Runtime.InteropServices;
using Memcheck.Engine.Tools.Heap;
using Memcheck.Engine.Tools.Memcheck;

namespace Memcheck.Engine.Tests.MemcheckTool;

/// <summary>Host memory standing in for the guest's heap mappings; records what was given back.</summary>
public sealed unsafe class FakeHeapMemory : IHeapMemory, IDisposable
{
    private readonly HashSet<ulong> _outstanding = [];

    public List<(ulong Address, ulong Size)> Released { get; } = [];
    public ulong Limit { get; init; } = ulong.MaxValue;

    public ulong? Reserve(ulong size)
    {
        if (size > Limit)
            return null;
        ulong address = (ulong)NativeMemory.AlignedAlloc((nuint)size, 16);
        _outstanding.Add(address);
        return address;
    }

    public void Release(ulong address, ulong size)
    {
        Released.Add((address, size));
        _outstanding.Remove(address);
        NativeMemory.AlignedFree((void*)address);
    }

    public void Dispose()
    {
        foreach (ulong address in _outstanding)
            NativeMemory.AlignedFree((void*)address);
    }
}
