using System.Runtime.InteropServices;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Os;

/// <summary>
/// Catches the asynchronous signals that reach the engine's process (alarm(), kill from outside, a broken
/// pipe, a child's exit, ...) for the guest: a native handler, assembled here, records each in a pending word,
/// with its siginfo, that the dispatcher takes at a block boundary. The kernel may pick any host thread
/// (usually the idle main one), so the handler re-sends the signal to a guest thread waiting in a blocking
/// syscall that does not block it, whose syscall then returns EINTR as it would natively; not when the guest
/// ignores the signal.
/// SIGCHLD is shared with the runtime, which reaps the children it started: the handler records it, then
/// jumps to the runtime's handler. The other signals the runtime owns (SIGSEGV, SIGBUS, SIGFPE, SIGILL) stay its own.
/// </summary>
public static unsafe class HostSignals
{
    /// <summary>The signals caught for the guest: whose default action would kill the engine unreported, and SIGCHLD.</summary>
    private static readonly int[] Caught = [1, 2, 3, 10, 12, 13, 14, 15, 24, 25, 26, 27, 29, 30];
    private const int SigChld = 17;
    /// <summary>What the engine sends a guest thread blocked in the host kernel to make its syscall return EINTR.</summary>
    public const int WakeSignal = 26; // SIGVTALRM: caught, and never recorded when it comes from the engine itself
    private const int SaSigInfo = 4, SaRestart = 0x1000_0000, SiTkill = -6;
    private const int GettidNumber = 186, GetpidNumber = 39, TgkillNumber = 234;
    /// <summary>The size of a siginfo_t, and where the slot of signal n (at n-1) starts among the native words.</summary>
    public const int SiginfoSize = 128;
    /// <summary>Guest threads waiting in the host kernel, as (tid, guest signal mask) pairs; tid 0 is a free slot.
    /// A thread that finds none free cannot be interrupted (more than this many waiting at once).</summary>
    private const int WaitersOffset = 64, WaiterSlots = 16;
    private const int SlotsOffset = WaitersOffset + WaiterSlots * 16;

    /// <summary>
    /// Native memory the handler uses: [0] pending signals, [2] the signals the guest acts on (a handler, or a
    /// default action that ends it), from byte 64 the waiting threads, then the last siginfo of each signal.
    /// </summary>
    private static ulong* s_words;

    /// <summary>Installs the handler once per process (idempotent); a forked child inherits it.</summary>
    public static void Install()
    {
        if (s_words != null) return;
        var words = (ulong*)NativeMemory.AllocZeroed(SlotsOffset + GuestSignalState.SignalCount * SiginfoSize);
        words[2] = GuestSignalState.ActedOnByDefault;
        nint handler = BuildHandler((ulong)words, chainTo: 0);
        foreach (int signal in Caught) SetHandler(signal, handler, null);

        var runtimes = stackalloc byte[KernelSigactionSize];
        SetHandler(SigChld, 0, runtimes);
        nint previous = *(nint*)runtimes;
        bool chains = previous is not (SigDefault or SigIgnore);
        SetHandler(SigChld, BuildHandler((ulong)words, chains ? previous : 0), null);
        s_words = words;
    }

    /// <summary>The host signals the handler catches (bit n-1 for signal n).</summary>
    public static ulong CaughtMask => Caught.Aggregate(1UL << (SigChld - 1), (mask, signal) => mask | 1UL << (signal - 1));

    /// <summary>The pending set without taking it.</summary>
    public static ulong Peek() => s_words == null ? 0 : Volatile.Read(ref s_words[0]);

    /// <summary>Takes the pending set (bit n-1 for signal n).</summary>
    public static ulong Take() => s_words == null ? 0 : Interlocked.Exchange(ref s_words[0], 0);

    /// <summary>The siginfo the host kernel gave with the last <paramref name="signal"/> (before it was taken).</summary>
    public static byte[] InfoOf(int signal)
    {
        var info = new byte[SiginfoSize];
        if (s_words != null) new ReadOnlySpan<byte>((byte*)s_words + SlotsOffset + (signal - 1) * SiginfoSize, SiginfoSize).CopyTo(info);
        return info;
    }

    /// <summary>The signals the guest acts on: a guest thread waiting in the host kernel is interrupted for these only.</summary>
    public static void SetActedOn(ulong signals)
    {
        if (s_words != null) Volatile.Write(ref s_words[2], signals);
    }

    /// <summary>A guest thread about to wait in the host kernel, blocking <paramref name="mask"/>: one to interrupt for the others.</summary>
    public static void EnterBlocking(int tid, ulong mask)
    {
        if (s_words == null) return;
        for (int slot = 0; slot < WaiterSlots; slot++)
        {
            ulong* waiter = Waiter(slot);
            if (Volatile.Read(ref waiter[0]) != 0) continue;
            Volatile.Write(ref waiter[1], mask);
            if (Interlocked.CompareExchange(ref waiter[0], (ulong)tid, 0) == 0) return;
        }
    }

    public static void LeaveBlocking(int tid)
    {
        if (s_words == null) return;
        for (int slot = 0; slot < WaiterSlots; slot++)
            Interlocked.CompareExchange(ref Waiter(slot)[0], 0, (ulong)tid);
    }

    /// <summary>In a forked child: the parent's waiting threads are not this process's.</summary>
    public static void ForgetWaiters()
    {
        if (s_words != null) new Span<byte>((byte*)s_words + WaitersOffset, WaiterSlots * 16).Clear();
    }

    /// <summary>Makes the wait of a guest thread that does not block <paramref name="signal"/> return EINTR, if one waits.</summary>
    public static void WakeWaiterFor(int signal)
    {
        if (s_words == null) return;
        for (int slot = 0; slot < WaiterSlots; slot++)
        {
            ulong* waiter = Waiter(slot);
            ulong tid = Volatile.Read(ref waiter[0]);
            if (tid == 0 || (Volatile.Read(ref waiter[1]) & 1UL << (signal - 1)) != 0) continue;
            Wake((int)tid);
            return;
        }
    }

    /// <summary>Makes the wait of guest thread <paramref name="tid"/> return EINTR, if it waits in the host kernel.</summary>
    public static void Wake(int tid)
    {
        // getpid, not Environment.ProcessId: the runtime caches that, and a forked child has its own.
        if (s_words != null) HostSyscall.Invoke(TgkillNumber, (ulong)HostSyscall.Invoke(GetpidNumber), (ulong)tid, WakeSignal);
    }

    private static ulong* Waiter(int slot) => (ulong*)((byte*)s_words + WaitersOffset) + 2 * slot;

    /// <summary>
    /// Gives the host thread the guest's view of signals for an execve, which keeps the mask and what is ignored:
    /// the guest's mask, and SIG_IGN for the standard signals the guest ignores (not the faults the runtime needs).
    /// Disposing puts the engine's back, for an execve that failed.
    /// </summary>
    public static IDisposable ForExec(ulong ignored, ulong mask) => new ExecSignals(ignored, mask);

    private sealed class ExecSignals : IDisposable
    {
        private const ulong RuntimeFaults = 1UL << (4 - 1) | 1UL << (7 - 1) | 1UL << (8 - 1) | 1UL << (11 - 1);
        private const int SigSetmask = 2, LastStandard = 31;
        private readonly byte[] _saved = new byte[(LastStandard + 1) * KernelSigactionSize];
        private readonly ulong _ignored;
        private ulong _hostMask;

        public ExecSignals(ulong ignored, ulong mask)
        {
            _ignored = ignored & ~RuntimeFaults & ~GuestSignalState.Unblockable & (1UL << LastStandard) - 1;
            var ignore = stackalloc byte[KernelSigactionSize];
            new Span<byte>(ignore, KernelSigactionSize).Clear();
            *(nint*)ignore = SigIgnore;
            fixed (byte* saved = _saved)
            {
                for (int signal = 1; signal <= LastStandard; signal++)
                    if ((_ignored & 1UL << (signal - 1)) != 0) sigaction(signal, ignore, saved + signal * KernelSigactionSize);
            }
            ulong hostMask;
            HostSyscall.Invoke(SyscallTable.Named("rt_sigprocmask").Number, SigSetmask, (ulong)&mask, (ulong)&hostMask, sizeof(ulong));
            _hostMask = hostMask;
        }

        public void Dispose()
        {
            ulong hostMask = _hostMask;
            HostSyscall.Invoke(SyscallTable.Named("rt_sigprocmask").Number, SigSetmask, (ulong)&hostMask, 0, sizeof(ulong));
            fixed (byte* saved = _saved)
            {
                for (int signal = 1; signal <= LastStandard; signal++)
                    if ((_ignored & 1UL << (signal - 1)) != 0) sigaction(signal, saved + signal * KernelSigactionSize, null);
            }
        }
    }

    /// <summary>Ends the process by <paramref name="signal"/> with its default action, so a parent's waitpid sees
    /// WIFSIGNALED as for the guest natively; returns if the signal does not end a process.</summary>
    public static void DieBy(int signal)
    {
        var action = stackalloc byte[KernelSigactionSize];
        new Span<byte>(action, KernelSigactionSize).Clear();
        sigaction(signal, action, null);
        ulong unblock = 1UL << (signal - 1);
        const int sigUnblock = 1;
        HostSyscall.Invoke(SyscallTable.Named("rt_sigprocmask").Number, sigUnblock, (ulong)&unblock, 0, sizeof(ulong));
        HostSyscall.Invoke(TgkillNumber, (ulong)HostSyscall.Invoke(GetpidNumber), (ulong)HostSyscall.Invoke(GettidNumber), (ulong)signal);
    }

    // glibc's struct sigaction: handler, 128-byte mask, int flags, restorer (glibc supplies it).
    private const int KernelSigactionSize = 152, SaFlagsOffset = 136;
    private const nint SigDefault = 0, SigIgnore = 1;

    /// <summary>Installs <paramref name="handler"/> (0: only reads the current action into <paramref name="old"/>).</summary>
    private static void SetHandler(int signal, nint handler, byte* old)
    {
        var action = stackalloc byte[KernelSigactionSize];
        new Span<byte>(action, KernelSigactionSize).Clear();
        *(nint*)action = handler;
        *(int*)(action + SaFlagsOffset) = SaSigInfo | SaRestart;
        if (sigaction(signal, handler == 0 ? null : action, old) != 0)
            throw new InvalidOperationException($"sigaction({signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>The handler (signal in rdi, siginfo in rsi, context in rdx); <paramref name="chainTo"/> is the handler it ends in, 0 for none.</summary>
    private static nint BuildHandler(ulong words, nint chainTo)
    {
        var asm = new Assembler(64);
        var done = asm.CreateLabel();
        var copy = asm.CreateLabel();
        asm.push(rdi);
        asm.push(rsi);
        asm.push(rdx);
        asm.mov(r8, words);
        asm.mov(r9, rdi);                 // the signal: the kernel keeps r8-r10 and rsi/rdi across syscalls
        // The engine's own wake-up (tgkill from this process) only interrupts; it is no guest signal.
        asm.cmp(__dword_ptr[rsi + 8], SiTkill);
        asm.jne(copy);
        asm.mov(eax, GetpidNumber);
        asm.syscall();
        asm.cmp(eax, __dword_ptr[rsi + 16]);
        asm.je(done);
        asm.Label(ref copy);
        asm.lea(r10, __[r9 - 1]);
        asm.shl(r10, 7);
        asm.lea(r10, __[r8 + r10 + SlotsOffset]);
        asm.xor(eax, eax);
        var next = asm.CreateLabel();
        asm.Label(ref next);
        asm.mov(rcx, __qword_ptr[rsi + rax * 8]);
        asm.mov(__qword_ptr[r10 + rax * 8], rcx);
        asm.inc(eax);
        asm.cmp(eax, SiginfoSize / 8);
        asm.jb(next);
        asm.lea(ecx, __[r9 - 1]);
        asm.@lock.bts(__qword_ptr[r8], rcx);
        asm.bt(__qword_ptr[r8 + 16], rcx);
        asm.jnc(done);
        // The first waiting guest thread that does not block the signal; rdx counts the slots.
        var slot = asm.CreateLabel();
        var nextSlot = asm.CreateLabel();
        asm.lea(r10, __[r8 + WaitersOffset]);
        asm.mov(edx, WaiterSlots);
        asm.Label(ref slot);
        asm.mov(esi, __dword_ptr[r10]);
        asm.test(esi, esi);
        asm.jz(nextSlot);
        asm.bt(__qword_ptr[r10 + 8], rcx);
        asm.jc(nextSlot);
        asm.mov(eax, GettidNumber);       // the kernel chose that very thread: its wait ends by itself
        asm.syscall();
        asm.cmp(eax, esi);
        asm.je(done);
        asm.mov(eax, GetpidNumber);
        asm.syscall();
        asm.mov(rdi, rax);
        asm.mov(rdx, r9);
        asm.mov(eax, TgkillNumber);
        asm.syscall();
        asm.jmp(done);
        asm.Label(ref nextSlot);
        asm.add(r10, 16);
        asm.dec(edx);
        asm.jnz(slot);
        asm.Label(ref done);
        asm.pop(rdx);
        asm.pop(rsi);
        asm.pop(rdi);
        if (chainTo == 0) asm.ret();
        else
        {
            asm.mov(rax, (ulong)chainTo);
            asm.jmp(rax);
        }
        return NativeStub.Place(asm, "signal handler");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sigaction(int signal, byte* action, byte* oldAction);
}
