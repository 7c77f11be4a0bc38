using System.Runtime.InteropServices;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Os;

/// <summary>
/// Enters the host kernel with a raw <c>syscall</c> instruction, returning what the kernel returns
/// (-errno on failure). A stub in an executable page rather than libc's syscall(): libc turns errors into
/// -1 plus a thread-local errno that the runtime may overwrite before we read it, and the guest wants the
/// kernel's convention anyway. Calls through an unmanaged function pointer make the usual GC transition,
/// so a syscall that blocks does not stop the runtime.
/// </summary>
internal static unsafe class HostSyscall
{
    private static readonly delegate* unmanaged<long, ulong, ulong, ulong, ulong, ulong, ulong, long> Stub = BuildStub();

    public static long Invoke(long number, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0) =>
        Stub(number, a0, a1, a2, a3, a4, a5);

    public static long Invoke(long number, ReadOnlySpan<ulong> args) =>
        Stub(number, args[0], args[1], args[2], args[3], args[4], args[5]);

    private static delegate* unmanaged<long, ulong, ulong, ulong, ulong, ulong, ulong, long> BuildStub()
    {
        // System V call (nr, a0..a4 in rdi rsi rdx rcx r8 r9, a5 on the stack) -> kernel convention
        // (nr in rax, args in rdi rsi rdx r10 r8 r9). The kernel clobbers rcx and r11, both caller-saved.
        var asm = new Assembler(64);
        asm.mov(rax, rdi);
        asm.mov(rdi, rsi);
        asm.mov(rsi, rdx);
        asm.mov(rdx, rcx);
        asm.mov(r10, r8);
        asm.mov(r8, r9);
        asm.mov(r9, __qword_ptr[rsp + 8]);
        asm.syscall();
        asm.ret();
        return (delegate* unmanaged<long, ulong, ulong, ulong, ulong, ulong, ulong, long>)NativeStub.Place(asm, "syscall stub");
    }
}
