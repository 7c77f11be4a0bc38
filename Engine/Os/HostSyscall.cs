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
/// A second, interruptible stub makes the guest's blocking syscalls. It returns EINTR without entering the
/// kernel when the thread's wake word is set, and <see cref="HostSignals"/> turns a signal arriving between
/// that check and the end of the syscall into EINTR too: the kernel would restart the syscall unseen
/// (SA_RESTART) or the signal would come before it blocks, and the engine, as the guest's kernel, decides.
/// </summary>
internal static unsafe class HostSyscall
{
    private static readonly delegate* unmanaged<long, ulong, ulong, ulong, ulong, ulong, ulong, long> Stub = BuildStub();
    private static readonly delegate* unmanaged<long, ulong, ulong, ulong, ulong, ulong, ulong, ulong*, long> Interruptible =
        BuildInterruptible(out InterruptibleWindow);

    /// <summary>Where a signal turns the interruptible stub's syscall into EINTR: from the wake word's check to the
    /// syscall instruction, both included; the stub goes on at <see cref="Window.Resume"/> with the result in RAX.</summary>
    public static readonly Window InterruptibleWindow;

    public readonly record struct Window(nint First, nint Last, nint Resume);

    public static long Invoke(long number, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0) =>
        Stub(number, a0, a1, a2, a3, a4, a5);

    public static long Invoke(long number, ReadOnlySpan<ulong> args) =>
        Stub(number, args[0], args[1], args[2], args[3], args[4], args[5]);

    /// <summary>A syscall a signal ends with EINTR, as does a set <paramref name="wake"/> word (see the class summary).</summary>
    public static long InvokeInterruptible(long number, ReadOnlySpan<ulong> args, ulong* wake) =>
        Interruptible(number, args[0], args[1], args[2], args[3], args[4], args[5], wake);

    private static delegate* unmanaged<long, ulong, ulong, ulong, ulong, ulong, ulong, long> BuildStub()
    {
        var asm = new Assembler(64);
        LoadArguments(asm);
        asm.syscall();
        asm.ret();
        return (delegate* unmanaged<long, ulong, ulong, ulong, ulong, ulong, ulong, long>)NativeStub.Place(asm, "syscall stub");
    }

    private static delegate* unmanaged<long, ulong, ulong, ulong, ulong, ulong, ulong, ulong*, long> BuildInterruptible(out Window window)
    {
        const int eintr = 4;
        var asm = new Assembler(64);
        var check = asm.CreateLabel();
        var enter = asm.CreateLabel();
        var resume = asm.CreateLabel();
        var woken = asm.CreateLabel();
        LoadArguments(asm);
        asm.mov(r11, __qword_ptr[rsp + 16]); // the wake word, the eighth argument
        asm.Label(ref check);
        asm.cmp(__qword_ptr[r11], 0);
        asm.jne(woken);
        asm.Label(ref enter);
        asm.syscall();
        asm.Label(ref resume);
        asm.ret();
        asm.Label(ref woken);
        asm.mov(rax, -eintr);
        asm.ret();
        nint stub = NativeStub.Place(asm, "interruptible syscall stub", out var layout);
        window = new Window(stub + (nint)layout.GetLabelRIP(check), stub + (nint)layout.GetLabelRIP(enter), stub + (nint)layout.GetLabelRIP(resume));
        return (delegate* unmanaged<long, ulong, ulong, ulong, ulong, ulong, ulong, ulong*, long>)stub;
    }

    /// <summary>
    /// System V call (nr, a0..a4 in rdi rsi rdx rcx r8 r9, a5 on the stack) -> kernel convention
    /// (nr in rax, args in rdi rsi rdx r10 r8 r9). The kernel clobbers rcx and r11, both caller-saved.
    /// </summary>
    private static void LoadArguments(Assembler asm)
    {
        asm.mov(rax, rdi);
        asm.mov(rdi, rsi);
        asm.mov(rsi, rdx);
        asm.mov(rdx, rcx);
        asm.mov(r10, r8);
        asm.mov(r8, r9);
        asm.mov(r9, __qword_ptr[rsp + 8]);
    }
}
