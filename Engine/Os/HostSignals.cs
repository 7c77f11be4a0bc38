using System.Runtime.InteropServices;
using Iced.Intel;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Os;

/// <summary>
/// Catches the asynchronous signals that reach the engine's process (alarm(), kill from outside, a child's exit,
/// ...) for the guest: a native handler, assembled here, records each in a pending word, with its siginfo, that
/// the dispatcher takes at a block boundary. Every signal whose default action would end the engine is caught, so
/// the guest ends with the report instead, and the ones ignored by default that a guest may handle (SIGWINCH, SIGURG).
/// The kernel may pick any host thread (usually the idle main one), so the handler wakes a guest thread waiting
/// in a blocking syscall that does not block the signal, whose syscall then returns EINTR as it would natively;
/// not when the guest ignores the signal. A signal arriving at a guest thread in the interruptible syscall stub
/// (<see cref="HostSyscall.InvokeInterruptible"/>) ends that syscall with EINTR rather than letting the kernel
/// restart it: the syscall layer restarts it when the guest's kernel would.
/// The handler also makes the guest's signalfds that watch the signal readable (<see cref="SignalFds"/>).
/// SIGCHLD and SIGCONT are shared with the runtime (it reaps the children it started): recorded, then handed to the
/// runtime's handler. The runtime's own signals (its faults, its thread activation signal) and the C library's
/// (thread cancellation, set*id across threads) stay theirs unless another process sent them.
/// </summary>
public static unsafe class HostSignals
{
    private enum Mode
    {
        /// <summary>Only the guest's: recorded for it.</summary>
        Guest,
        /// <summary>Recorded, then handed to the runtime's handler.</summary>
        Shared,
        /// <summary>Recorded when another process sent it, which the engine's runtime or C library never expects; theirs otherwise.</summary>
        HostUnlessSent,
    }

    private const int SigChld = 17, SigCont = 18, SigPipe = 13, RuntimeActivation = 34, LastSignal = 64;
    private static readonly int[] GuestOnly =
        [1, 2, 3, 10, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28, 29, 30, 31, .. Enumerable.Range(RuntimeActivation + 1, LastSignal - RuntimeActivation)];
    private static readonly int[] SharedWithRuntime = [SigChld, SigCont];
    /// <summary>SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV and the runtime's thread activation signal.</summary>
    private static readonly int[] OwnedByRuntime = [4, 5, 6, 7, 8, 11, RuntimeActivation];
    /// <summary>The C library's thread cancellation and set*id signals, which its sigaction refuses to touch.</summary>
    private static readonly int[] OwnedByLibc = [32, 33];

    /// <summary>What the engine sends a guest thread blocked in the host kernel to make its syscall return EINTR.</summary>
    public const int WakeSignal = 26; // SIGVTALRM: caught, and never recorded when it comes from the engine itself
    private const int SaSigInfo = 4, SaRestart = 0x1000_0000, SiUser = 0, SiQueue = -1, SiTkill = -6, Eintr = 4;
    private const int GettidNumber = 186, GetpidNumber = 39, TgkillNumber = 234, WriteNumber = 1;
    /// <summary>Where a ucontext holds RAX and RIP (its mcontext's general registers start at byte 40).</summary>
    private const int UcontextRax = 0x90, UcontextRip = 0xA8;
    /// <summary>The size of a siginfo_t.</summary>
    public const int SiginfoSize = 128;

    /// <summary>Guest threads waiting in the host kernel, as (tid, guest signal mask, wake word) triples; tid 0 is a
    /// free slot. A thread that finds none free cannot be interrupted (more than this many waiting at once).</summary>
    private const int WaitersOffset = 64, WaiterSlots = 16, WaiterSize = 32;
    /// <summary>The guest's signalfds, as (descriptor, mask) pairs; mask 0 is a free slot.</summary>
    private const int SignalFdsOffset = WaitersOffset + WaiterSlots * WaiterSize, SignalFdSlots = 16;
    private const int InfosOffset = SignalFdsOffset + SignalFdSlots * 16;

    /// <summary>
    /// Native memory the handler uses: [0] pending signals, [2] the signals that interrupt a waiting thread (the
    /// guest acts on them: a handler, or a default action that ends it; or a thread waits for them), [3] the
    /// value 1 (what the handler writes to a signalfd's eventfd), from byte 64 the waiting threads, then the
    /// signalfds, then the last siginfo of each signal.
    /// </summary>
    private static ulong* s_words;
    private static ulong s_actedOn = GuestSignalState.ActedOnByDefault;
    /// <summary>How many waits (sigwait, signalfd reads) are for each signal, by signal number.</summary>
    private static readonly int[] s_waits = new int[LastSignal + 1];
    private static readonly object s_waitsGate = new();
    /// <summary>The wake word of the host thread's waiter slot while it waits, else a word never set.</summary>
    [ThreadStatic] private static ulong* t_wake;
    private static readonly ulong* s_neverWoken = (ulong*)NativeMemory.AllocZeroed(sizeof(ulong));

    /// <summary>Installs the handlers once per process (idempotent); a forked child inherits them.</summary>
    public static void Install()
    {
        if (s_words != null) return;
        var words = (ulong*)NativeMemory.AllocZeroed(InfosOffset + LastSignal * SiginfoSize);
        words[2] = s_actedOn;
        words[3] = 1;
        foreach (int signal in GuestOnly) SetHandler(signal, BuildHandler((ulong)words, Mode.Guest, 0), SaSigInfo | SaRestart, 0);
        foreach (int signal in SharedWithRuntime) Share(words, signal, Mode.Shared);
        foreach (int signal in OwnedByRuntime) Share(words, signal, Mode.HostUnlessSent);
        foreach (int signal in OwnedByLibc) ShareWithLibc(words, signal);
        s_words = words;
    }

    /// <summary>As <see cref="Share"/>, through the kernel's rt_sigaction (handler, flags, restorer, mask), with the C
    /// library's restorer, which returns from a handler with rt_sigreturn.</summary>
    private static void ShareWithLibc(ulong* words, int signal)
    {
        const ulong saRestorer = 0x0400_0000;
        const int sigHup = 1;
        var action = stackalloc ulong[4];
        var installed = stackalloc ulong[4];
        KernelSigaction(signal, null, action);
        KernelSigaction(sigHup, null, installed); // set above through the C library, with its restorer
        nint previous = (nint)action[0];
        bool owned = previous is not (SigDefault or SigIgnore);
        action[0] = (ulong)BuildHandler((ulong)words, owned ? Mode.HostUnlessSent : Mode.Guest, previous);
        action[1] = (owned ? action[1] : SaRestart) | SaSigInfo | saRestorer;
        action[2] = installed[2];
        if (!owned) action[3] = 0;
        KernelSigaction(signal, action, null);
    }

    private static void KernelSigaction(int signal, ulong* action, ulong* old)
    {
        const int rtSigactionNumber = 13;
        long result = HostSyscall.Invoke(rtSigactionNumber, (ulong)signal, (ulong)action, (ulong)old, sizeof(ulong));
        if (result != 0) throw new InvalidOperationException($"rt_sigaction({signal}) failed: errno {-result}");
    }

    /// <summary>A handler in front of the runtime's, with its flags and mask; the guest's alone if the runtime has none.</summary>
    private static void Share(ulong* words, int signal, Mode mode)
    {
        var runtimes = stackalloc byte[KernelSigactionSize];
        if (sigaction(signal, null, runtimes) != 0)
            throw new InvalidOperationException($"sigaction({signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        nint previous = *(nint*)runtimes;
        if (previous is SigDefault or SigIgnore)
        {
            SetHandler(signal, BuildHandler((ulong)words, Mode.Guest, 0), SaSigInfo | SaRestart, 0);
            return;
        }
        int flags = *(int*)(runtimes + SaFlagsOffset) | SaSigInfo;
        SetHandler(signal, BuildHandler((ulong)words, mode, previous), flags, *(ulong*)(runtimes + sizeof(nint)));
    }

    /// <summary>The host signals a guest thread blocks while it checks whether to wait (bit n-1 for signal n): the ones
    /// caught for the guest, not the runtime's own, which managed code running meanwhile may need.</summary>
    public static ulong WaitMask => GuestOnly.Concat(SharedWithRuntime).Aggregate(0UL, (mask, signal) => mask | 1UL << (signal - 1));

    /// <summary>The pending set without taking it.</summary>
    public static ulong Peek() => s_words == null ? 0 : Volatile.Read(ref s_words[0]);

    /// <summary>Takes the pending set (bit n-1 for signal n).</summary>
    public static ulong Take() => s_words == null ? 0 : Interlocked.Exchange(ref s_words[0], 0);

    /// <summary>The siginfo the host kernel gave with the last <paramref name="signal"/> (before it was taken).</summary>
    public static byte[] InfoOf(int signal)
    {
        var info = new byte[SiginfoSize];
        if (s_words != null) new ReadOnlySpan<byte>((byte*)s_words + InfosOffset + (signal - 1) * SiginfoSize, SiginfoSize).CopyTo(info);
        return info;
    }

    /// <summary>The signals the guest acts on: a guest thread waiting in the host kernel is interrupted for these, and
    /// for the ones a thread waits for.</summary>
    public static void SetActedOn(ulong signals)
    {
        lock (s_waitsGate)
        {
            s_actedOn = signals;
            PublishInterrupting();
        }
    }

    /// <summary>A thread starts waiting for <paramref name="signals"/> (sigwait, a signalfd read): they interrupt waits
    /// even when the guest ignores them. <see cref="EndWait"/> with the same set ends it.</summary>
    public static void BeginWait(ulong signals) => CountWaits(signals, +1);

    public static void EndWait(ulong signals) => CountWaits(signals, -1);

    private static void CountWaits(ulong signals, int change)
    {
        lock (s_waitsGate)
        {
            for (int signal = 1; signal <= LastSignal; signal++)
                if ((signals & 1UL << (signal - 1)) != 0) s_waits[signal] += change;
            PublishInterrupting();
        }
    }

    private static void PublishInterrupting()
    {
        ulong waited = 0;
        for (int signal = 1; signal <= LastSignal; signal++)
            if (s_waits[signal] > 0) waited |= 1UL << (signal - 1);
        if (s_words != null) Volatile.Write(ref s_words[2], s_actedOn | waited);
    }

    /// <summary>
    /// A guest thread about to wait in the host kernel, blocking <paramref name="mask"/>: one to interrupt for the
    /// others. Its wake word, cleared here, is what <see cref="HostSyscall.InvokeInterruptible"/> checks.
    /// </summary>
    public static void EnterBlocking(int tid, ulong mask)
    {
        t_wake = s_neverWoken;
        if (s_words == null) return;
        for (int slot = 0; slot < WaiterSlots; slot++)
        {
            ulong* waiter = Waiter(slot);
            if (Volatile.Read(ref waiter[0]) != 0) continue;
            Volatile.Write(ref waiter[1], mask);
            Volatile.Write(ref waiter[2], 0);
            if (Interlocked.CompareExchange(ref waiter[0], (ulong)tid, 0) != 0) continue;
            t_wake = &waiter[2];
            return;
        }
    }

    public static void LeaveBlocking(int tid)
    {
        t_wake = s_neverWoken;
        if (s_words == null) return;
        for (int slot = 0; slot < WaiterSlots; slot++)
            Interlocked.CompareExchange(ref Waiter(slot)[0], 0, (ulong)tid);
    }

    /// <summary>The calling thread's wake word (set when it is to stop waiting), for <see cref="HostSyscall.InvokeInterruptible"/>.</summary>
    public static ulong* WakeWord => t_wake == null ? s_neverWoken : t_wake;

    /// <summary>In a forked child: the parent's waiting threads are not this process's.</summary>
    public static void ForgetWaiters()
    {
        if (s_words != null) new Span<byte>((byte*)s_words + WaitersOffset, WaiterSlots * WaiterSize).Clear();
    }

    /// <summary>Makes the wait of a guest thread that does not block <paramref name="signal"/> return EINTR, if one
    /// waits and the signal interrupts waits (see <see cref="SetActedOn"/>).</summary>
    public static void WakeWaiterFor(int signal)
    {
        ulong bit = 1UL << (signal - 1);
        if (s_words == null || (Volatile.Read(ref s_words[2]) & bit) == 0) return;
        for (int slot = 0; slot < WaiterSlots; slot++)
        {
            ulong* waiter = Waiter(slot);
            ulong tid = Volatile.Read(ref waiter[0]);
            if (tid == 0 || (Volatile.Read(ref waiter[1]) & bit) != 0) continue;
            Wake((int)tid);
            return;
        }
    }

    /// <summary>Makes the wait of guest thread <paramref name="tid"/> return EINTR, if it waits in the host kernel.</summary>
    public static void Wake(int tid)
    {
        if (s_words == null) return;
        for (int slot = 0; slot < WaiterSlots; slot++)
        {
            ulong* waiter = Waiter(slot);
            if (Volatile.Read(ref waiter[0]) != (ulong)tid) continue;
            Volatile.Write(ref waiter[2], 1);
            // getpid, not Environment.ProcessId: the runtime caches that, and a forked child has its own.
            HostSyscall.Invoke(TgkillNumber, (ulong)HostSyscall.Invoke(GetpidNumber), (ulong)tid, WakeSignal);
            return;
        }
    }

    private static ulong* Waiter(int slot) => (ulong*)((byte*)s_words + WaitersOffset + slot * WaiterSize);

    /// <summary>
    /// The signalfd <paramref name="fd"/> (an eventfd the guest holds) watches <paramref name="mask"/>: a signal of
    /// it arriving from outside makes the descriptor readable. False when every slot is taken.
    /// </summary>
    public static bool WatchSignalFd(int fd, ulong mask)
    {
        if (s_words == null) return true;
        UnwatchSignalFd(fd);
        if (mask == 0) return true;
        for (int slot = 0; slot < SignalFdSlots; slot++)
        {
            ulong* watch = SignalFdSlot(slot);
            if (Volatile.Read(ref watch[1]) != 0) continue;
            watch[0] = (ulong)fd;
            Volatile.Write(ref watch[1], mask);
            return true;
        }
        return false;
    }

    public static void UnwatchSignalFd(int fd)
    {
        if (s_words == null) return;
        for (int slot = 0; slot < SignalFdSlots; slot++)
        {
            ulong* watch = SignalFdSlot(slot);
            if (Volatile.Read(ref watch[1]) != 0 && watch[0] == (ulong)fd) Volatile.Write(ref watch[1], 0);
        }
    }

    private static ulong* SignalFdSlot(int slot) => (ulong*)((byte*)s_words + SignalFdsOffset) + 2 * slot;

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

    private static void SetHandler(int signal, nint handler, int flags, ulong mask)
    {
        var action = stackalloc byte[KernelSigactionSize];
        new Span<byte>(action, KernelSigactionSize).Clear();
        *(nint*)action = handler;
        *(ulong*)(action + sizeof(nint)) = mask;
        *(int*)(action + SaFlagsOffset) = flags;
        if (sigaction(signal, action, null) != 0)
            throw new InvalidOperationException($"sigaction({signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>The handler (signal in rdi, siginfo in rsi, ucontext in rdx); <paramref name="runtimes"/> is the
    /// runtime's handler that <paramref name="mode"/> hands the signal to.</summary>
    private static nint BuildHandler(ulong words, Mode mode, nint runtimes)
    {
        var asm = new Assembler(64);
        var classify = asm.CreateLabel();
        var sent = asm.CreateLabel();
        var record = asm.CreateLabel();
        var finish = asm.CreateLabel();
        var toRuntime = asm.CreateLabel();
        asm.push(rdi);
        asm.push(rsi);
        asm.push(rdx);
        asm.mov(r8, words);
        asm.mov(r9, rdi);                 // the signal: the kernel keeps r8-r10 and rsi/rdi across syscalls

        // A guest syscall in the interruptible stub's window ends with EINTR: the syscall layer restarts it if need be.
        var window = HostSyscall.InterruptibleWindow;
        asm.mov(rax, __qword_ptr[rdx + UcontextRip]);
        asm.mov(rcx, (ulong)window.First);
        asm.cmp(rax, rcx);
        asm.jb(classify);
        asm.mov(rcx, (ulong)window.Last);
        asm.cmp(rax, rcx);
        asm.ja(classify);
        asm.mov(rcx, (ulong)window.Resume);
        asm.mov(__qword_ptr[rdx + UcontextRip], rcx);
        asm.mov(__qword_ptr[rdx + UcontextRax], -Eintr);

        // Sent by kill, sigqueue or tgkill (these carry the sender's pid), and by this very process?
        asm.Label(ref classify);
        asm.mov(eax, __dword_ptr[rsi + 8]);
        asm.cmp(eax, SiUser);
        asm.je(sent);
        asm.cmp(eax, SiQueue);
        asm.je(sent);
        asm.cmp(eax, SiTkill);
        asm.je(sent);
        asm.jmp(mode == Mode.HostUnlessSent ? toRuntime : record);
        asm.Label(ref sent);
        asm.mov(eax, GetpidNumber);
        asm.syscall();
        asm.cmp(eax, __dword_ptr[rsi + 16]);
        if (mode == Mode.HostUnlessSent) asm.je(toRuntime);
        else
        {
            // From the engine itself: its wake-up only interrupts, and a write's SIGPIPE is raised for the writing
            // guest thread by the syscall layer.
            asm.jne(record);
            asm.cmp(r9d, WakeSignal);
            asm.je(finish);
            asm.cmp(r9d, SigPipe);
            asm.je(finish);
        }

        asm.Label(ref record);
        asm.lea(r10, __[r9 - 1]);
        asm.shl(r10, 7);
        asm.lea(r10, __[r8 + r10 + InfosOffset]);
        asm.xor(eax, eax);
        var copy = asm.CreateLabel();
        asm.Label(ref copy);
        asm.mov(rcx, __qword_ptr[rsi + rax * 8]);
        asm.mov(__qword_ptr[r10 + rax * 8], rcx);
        asm.inc(eax);
        asm.cmp(eax, SiginfoSize / 8);
        asm.jb(copy);
        asm.lea(ecx, __[r9 - 1]);
        asm.@lock.bts(__qword_ptr[r8], rcx);

        // Each signalfd watching the signal gets a 1 added to its eventfd: readable.
        var watch = asm.CreateLabel();
        var nextWatch = asm.CreateLabel();
        asm.lea(r10, __[r8 + SignalFdsOffset]);
        asm.Label(ref watch);
        asm.lea(ecx, __[r9 - 1]);
        asm.bt(__qword_ptr[r10 + 8], rcx);
        asm.jnc(nextWatch);
        asm.mov(edi, __dword_ptr[r10]);
        asm.lea(rsi, __[r8 + 24]);
        asm.mov(edx, sizeof(ulong));
        asm.mov(eax, WriteNumber);
        asm.syscall();
        asm.Label(ref nextWatch);
        asm.add(r10, 16);
        asm.lea(rax, __[r8 + SignalFdsOffset + SignalFdSlots * 16]);
        asm.cmp(r10, rax);
        asm.jb(watch);

        // The first waiting guest thread that does not block the signal, if it interrupts waits; rdx counts the slots.
        asm.lea(ecx, __[r9 - 1]);
        asm.bt(__qword_ptr[r8 + 16], rcx);
        asm.jnc(finish);
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
        asm.mov(__qword_ptr[r10 + 16], 1); // its wake word: a thread not yet in its syscall does not enter it
        asm.mov(eax, GettidNumber);       // the kernel chose that very thread: its syscall ended above
        asm.syscall();
        asm.cmp(eax, esi);
        asm.je(finish);
        asm.mov(eax, GetpidNumber);
        asm.syscall();
        asm.mov(rdi, rax);
        asm.mov(edx, WakeSignal);
        asm.mov(eax, TgkillNumber);
        asm.syscall();
        asm.jmp(finish);
        asm.Label(ref nextSlot);
        asm.add(r10, WaiterSize);
        asm.dec(edx);
        asm.jnz(slot);

        asm.Label(ref finish);
        asm.pop(rdx);
        asm.pop(rsi);
        asm.pop(rdi);
        if (mode == Mode.Guest) asm.ret();
        else
        {
            if (mode == Mode.HostUnlessSent)
            {
                asm.ret();
                asm.Label(ref toRuntime);
                asm.pop(rdx);
                asm.pop(rsi);
                asm.pop(rdi);
            }
            asm.mov(rax, (ulong)runtimes);
            asm.jmp(rax);
        }
        return NativeStub.Place(asm, "signal handler");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sigaction(int signal, byte* action, byte* oldAction);
}
