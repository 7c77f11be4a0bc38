using Memcheck.Engine.Guest;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Core;

/// <summary>The guest address space as the kernel's memory syscalls see it.</summary>
internal sealed class AddressSpaceMemoryManager(GuestAddressSpace space) : IGuestMemoryManager
{
    public long Mmap(ulong addr, ulong length, int prot, int flags, int fd, long offset) => space.Mmap(addr, length, prot, flags, fd, offset);
    public long Munmap(ulong addr, ulong length) => space.Munmap(addr, length);
    public long Mprotect(ulong addr, ulong length, int prot) => space.Mprotect(addr, length, prot);
    public long Mremap(ulong oldAddr, ulong oldSize, ulong newSize, int flags, ulong newAddr) => space.Mremap(oldAddr, oldSize, newSize, flags, newAddr);
    public long Brk(ulong requested) => space.Brk(requested);
}
