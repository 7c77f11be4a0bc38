using Memcheck.Engine.Cpu;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tests.Os;

/// <summary>The handler over the guest engineer's real address space, with its page map as the guard.</summary>
public unsafe class AddressSpaceIntegrationTests
{
    /// <summary>What the lead's adapter will do: GuestAddressSpace already has the interface's methods.</summary>
    private sealed class AddressSpaceAdapter(GuestAddressSpace space) : IGuestMemoryManager
    {
        public long Mmap(ulong addr, ulong length, int prot, int flags, int fd, long offset) => space.Mmap(addr, length, prot, flags, fd, offset);
        public long Munmap(ulong addr, ulong length) => space.Munmap(addr, length);
        public long Mprotect(ulong addr, ulong length, int prot) => space.Mprotect(addr, length, prot);
        public long Mremap(ulong oldAddr, ulong oldSize, ulong newSize, int flags, ulong newAddr) => space.Mremap(oldAddr, oldSize, newSize, flags, newAddr);
        public long Brk(ulong requested) => space.Brk(requested);
    }

    [Test]
    public void GuestMmapedMemoryTakesKernelWritesUntilUnmapped()
    {
        using var space = new GuestAddressSpace();
        var handler = new SyscallHandler(new ProcessInfo { ExecutablePath = "/bin/guest" }, new AddressSpaceAdapter(space),
            space.Pages, new HostFileDescriptors(), TextWriter.Null);
        var state = (GuestState*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(GuestState.Size);
        state->Reset();
        long Call(string name, params ulong[] args)
        {
            int[] registers = [7, 6, 2, 10, 8, 9];
            state->Gpr[0] = (ulong)SyscallTable.Named(name).Number;
            for (int i = 0; i < args.Length; i++) state->Gpr[registers[i]] = args[i];
            handler.Handle(state);
            return (long)state->Gpr[0];
        }

        const ulong protReadWrite = 3, mapPrivateAnonymous = 0x22;
        long page = Call("mmap", 0, 4096, protReadWrite, mapPrivateAnonymous, unchecked((ulong)-1), 0);
        Assert.That(page, Is.GreaterThan(0));
        Assert.That(Call("pipe2", (ulong)page, 0), Is.Zero);
        ulong readFd = (ulong)*(int*)page, writeFd = (ulong)*(int*)(page + 4);
        *(ulong*)(page + 64) = 0x1122334455667788;
        Assert.That(Call("write", writeFd, (ulong)page + 64, 8), Is.EqualTo(8));
        Assert.That(Call("read", readFd, (ulong)page + 128, 4), Is.EqualTo(4));
        Assert.That(*(uint*)(page + 128), Is.EqualTo(0x55667788));

        Assert.That(Call("munmap", (ulong)page, 4096), Is.Zero);
        Assert.That(Call("read", readFd, (ulong)page + 128, 4), Is.EqualTo(-14), "EFAULT once the guest gave the page back");
        Call("close", readFd);
        Call("close", writeFd);
        System.Runtime.InteropServices.NativeMemory.Free(state);
    }
}
