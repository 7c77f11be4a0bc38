namespace Memcheck.Engine.Os;

/// <summary>
/// The guest's address space as the memory syscalls need it. Implemented by the guest engineer's
/// GuestAddressSpace (Memcheck.Engine.Guest). Each method takes the syscall's arguments and returns what
/// the kernel would: an address or 0 on success, -errno on failure (brk returns the new break).
/// </summary>
public interface IGuestMemoryManager
{
    long Mmap(ulong addr, ulong length, int prot, int flags, int fd, long offset);
    long Munmap(ulong addr, ulong length);
    long Mprotect(ulong addr, ulong length, int prot);
    long Mremap(ulong oldAddr, ulong oldSize, ulong newSize, int flags, ulong newAddr);
    long Brk(ulong requested);
}
