using System.Runtime.InteropServices;
using System.Text;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tests.Os;

/// <summary>
/// A guest for driving <see cref="SyscallHandler"/> directly: a register state, a few pages of native memory
/// the guard says the guest owns, and a fake address space that records what it was asked.
/// </summary>
internal sealed unsafe class GuestFixture : IDisposable, IGuestMemoryGuard
{
    public const int PageSize = 4096;
    public const int Pages = 4;

    private readonly GuestState* _state;
    public byte* Memory { get; }
    public ulong Base => (ulong)Memory;
    public StringWriter Warnings { get; } = new();
    public FakeAddressSpace AddressSpace { get; } = new();
    public ProcessInfo Process { get; }
    public HostFileDescriptors HostFds { get; }
    public SyscallHandler Handler { get; }

    public GuestFixture(HostFileDescriptors? hostFds = null, ProcessInfo? process = null)
    {
        Process = process ?? new ProcessInfo { ExecutablePath = "/opt/guest/bin/program" };
        _state = (GuestState*)NativeMemory.AlignedAlloc(GuestState.Size, 64);
        _state->Reset();
        Memory = (byte*)NativeMemory.AlignedAlloc(Pages * PageSize, PageSize);
        new Span<byte>(Memory, Pages * PageSize).Clear();
        HostFds = hostFds ?? new HostFileDescriptors();
        Handler = new SyscallHandler(Process, AddressSpace, this, HostFds, Warnings);
    }

    public ref GuestState State => ref *_state;

    /// <summary>Runs the syscall as a guest would and returns RAX.</summary>
    public long Call(string name, params ulong[] args) => (long)Outcome(SyscallTable.Named(name).Number, args).Rax;

    public (SyscallOutcome Outcome, ulong Rax) Outcome(long number, params ulong[] args)
    {
        int[] registers = [7, 6, 2, 10, 8, 9];
        _state->Gpr[0] = (ulong)number;
        for (int i = 0; i < registers.Length; i++) _state->Gpr[registers[i]] = i < args.Length ? args[i] : 0;
        var outcome = Handler.Handle(_state);
        return (outcome, _state->Gpr[0]);
    }

    /// <summary>Address of the guest byte at an offset into the guest pages.</summary>
    public ulong At(int offset) => Base + (ulong)offset;

    public void WriteString(int offset, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text + "\0");
        bytes.CopyTo(new Span<byte>(Memory + offset, bytes.Length));
    }

    public Span<byte> Bytes(int offset, int length) => new(Memory + offset, length);
    public ref T Read<T>(int offset) where T : unmanaged => ref *(T*)(Memory + offset);

    public bool CanRead(ulong address, int size) => Owns(address, size);
    public bool CanWrite(ulong address, int size) => Owns(address, size);
    private bool Owns(ulong address, int size) => address >= Base && address + (ulong)size <= Base + Pages * PageSize;

    public void Dispose()
    {
        NativeMemory.AlignedFree(Memory);
        NativeMemory.AlignedFree(_state);
    }
}

/// <summary>Records the memory syscalls it is handed and answers with <see cref="Result"/>.</summary>
internal sealed class FakeAddressSpace : IGuestMemoryManager
{
    public List<string> Calls { get; } = [];
    public long Result { get; set; }

    public long Mmap(ulong addr, ulong length, int prot, int flags, int fd, long offset) => Record($"mmap {addr:x} {length} {prot} {flags} {fd} {offset}");
    public long Munmap(ulong addr, ulong length) => Record($"munmap {addr:x} {length}");
    public long Mprotect(ulong addr, ulong length, int prot) => Record($"mprotect {addr:x} {length} {prot}");
    public long Mremap(ulong oldAddr, ulong oldSize, ulong newSize, int flags, ulong newAddr) => Record($"mremap {oldAddr:x} {oldSize} {newSize} {flags} {newAddr:x}");
    public long Brk(ulong requested) => Record($"brk {requested:x}");

    private long Record(string call)
    {
        Calls.Add(call);
        return Result;
    }
}
