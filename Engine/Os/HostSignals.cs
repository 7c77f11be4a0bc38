using System.Runtime.InteropServices;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Os;

/// <summary>
/// Catches the asynchronous signals that reach the engine's process (alarm(), kill from outside, a broken
/// pipe, ...) for the guest: a native handler, assembled here, records each in a pending word that the
/// dispatcher takes at a block boundary. The kernel may pick any host thread (usually the idle main one), so
/// the handler re-sends the signal to the guest thread waiting in a blocking syscall, whose syscall then
/// returns EINTR as it would natively. Signals the runtime owns (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGCHLD) stay its own.
/// </summary>
public static unsafe class HostSignals
{
    /// <summary>The signals caught for the guest: whose default action would kill the engine unreported.</summary>
    private static readonly int[] Caught = [1, 2, 3, 10, 12, 13, 14, 15, 24, 25, 26, 27, 29, 30];
    private const int SaRestart = 0x1000_0000;
    private const int GettidNumber = 186, GetpidNumber = 39, TgkillNumber = 234;

    /// <summary>Native words the handler uses: [0] pending signals, [1] tid of the guest thread in a blocking syscall.</summary>
    private static ulong* s_words;

    /// <summary>Installs the handler once per process (idempotent); a forked child inherits it.</summary>
    public static void Install()
    {
        if (s_words != null) return;
        s_words = (ulong*)NativeMemory.AllocZeroed(16);
        nint handler = BuildHandler((ulong)s_words);
        var action = stackalloc byte[KernelSigactionSize];
        new Span<byte>(action, KernelSigactionSize).Clear();
        *(nint*)action = handler;
        *(int*)(action + SaFlagsOffset) = SaRestart;
        foreach (int signal in Caught)
        {
            if (sigaction(signal, action, null) != 0)
                throw new InvalidOperationException($"sigaction({signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The pending set without taking it.</summary>
    public static ulong Peek() => s_words == null ? 0 : Volatile.Read(ref s_words[0]);

    /// <summary>Takes the pending set (bit n-1 for signal n).</summary>
    public static ulong Take() => s_words == null ? 0 : Interlocked.Exchange(ref s_words[0], 0);

    /// <summary>The guest thread about to wait in the host kernel: the one to interrupt.</summary>
    public static void EnterBlocking(int tid)
    {
        if (s_words != null) Volatile.Write(ref s_words[1], (ulong)tid);
    }

    public static void LeaveBlocking(int tid)
    {
        if (s_words != null) Interlocked.CompareExchange(ref s_words[1], 0, (ulong)tid);
    }

    // glibc's struct sigaction: handler, 128-byte mask, int flags, restorer (glibc supplies it).
    private const int KernelSigactionSize = 152, SaFlagsOffset = 136;

    private static nint BuildHandler(ulong words)
    {
        var asm = new Assembler(64);
        var done = asm.CreateLabel();
        asm.mov(r8, words);
        asm.lea(ecx, __[rdi - 1]);
        asm.@lock.bts(__qword_ptr[r8], rcx);
        asm.mov(esi, __dword_ptr[r8 + 8]);
        asm.test(esi, esi);
        asm.jz(done);
        asm.mov(r9, rdi);                 // the signal: the kernel keeps r8-r10 and rsi/rdi across syscalls
        asm.mov(eax, GettidNumber);
        asm.syscall();
        asm.cmp(eax, esi);
        asm.je(done);
        asm.mov(eax, GetpidNumber);
        asm.syscall();
        asm.mov(rdi, rax);
        asm.mov(rdx, r9);
        asm.mov(eax, TgkillNumber);
        asm.syscall();
        asm.Label(ref done);
        asm.ret();
        return NativeStub.Place(asm, "signal handler");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sigaction(int signal, byte* action, byte* oldAction);
}
