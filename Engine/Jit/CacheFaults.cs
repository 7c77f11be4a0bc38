using System.Runtime.InteropServices;
using Iced.Intel;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Os;
using static Iced.Intel.AssemblerRegisters;

namespace Memcheck.Engine.Jit;

/// <summary>
/// Turns a host SIGSEGV or SIGBUS raised by a guest access in generated code into a guest fault: a write to a
/// page the guest owns read-only, a page it owns with PROT_NONE, a file mapping beyond its end. The check before
/// each access keeps generated code away from memory the guest does not own; these are faults only the MMU sees.
/// A native handler, installed after the .NET runtime's with the runtime's flags and mask (it runs on the alternate
/// stack the runtime gives every thread), looks at the faulting RIP: inside a registered code cache it records the
/// host RIP and the faulting address in the guest state (rbp) and resumes at the cache's fault trampoline, which
/// leaves the block as a refused access would; anywhere else (and for signals a process sent) it jumps to the
/// runtime's handler.
/// </summary>
internal static unsafe class CacheFaults
{
    private const int SigBus = 7, SigSegv = 11;
    private const int MaxCaches = 256;
    /// <summary>Per cache: start, end, SIGSEGV trampoline, SIGBUS trampoline.</summary>
    private const int EntryWords = 4;
    // ucontext_t: gregs from 0x28, REG_RBP is 10 and REG_RIP 16; siginfo_t: si_code at 8, si_addr at 16.
    private const int UcRbp = 0x28 + 8 * 10, UcRip = 0x28 + 8 * 16, SiCode = 8, SiAddr = 16;

    private static readonly object s_lock = new();
    /// <summary>Native: [0] number of entries, then the entries; read by the handler without a lock.</summary>
    private static ulong* s_table;
    private static readonly List<CodeCache> s_caches = [];

    /// <summary>Makes faults in <paramref name="cache"/> guest faults from now on (installing the handler the first time).</summary>
    public static void Register(CodeCache cache)
    {
        lock (s_lock)
        {
            if (s_table == null) Install();
            s_caches.Remove(cache);
            if (s_caches.Count == MaxCaches) throw new InvalidOperationException($"more than {MaxCaches} code caches at once");
            s_caches.Add(cache);
            Publish();
        }
    }

    public static void Unregister(CodeCache cache)
    {
        lock (s_lock)
        {
            if (s_caches.Remove(cache)) Publish();
        }
    }

    /// <summary>
    /// Called by a cache's fault trampoline: sets state->Rip to the guest instruction whose access faulted at
    /// <paramref name="hostRip"/> and returns the bytes its block reserved beyond the shared frame.
    /// </summary>
    [UnmanagedCallersOnly]
    internal static ulong FaultedInstruction(GuestState* state, ulong hostRip)
    {
        lock (s_lock)
        {
            foreach (var cache in s_caches)
            {
                if (!cache.Contains((nint)hostRip)) continue;
                if (cache.FindByHostAddress((nint)hostRip) is not { } block) break;
                state->Rip = block.GuestInstructionAt((nint)hostRip);
                return (ulong)block.FrameSize;
            }
        }
        // Not in a block (a shared stub): no frame to free, and the block's start is the best guess of the instruction.
        return 0;
    }

    /// <summary>Rewrites the table the handler reads: shrinking the count first, so it never sees a half-written entry.</summary>
    private static void Publish()
    {
        Volatile.Write(ref s_table[0], 0);
        for (int i = 0; i < s_caches.Count; i++)
        {
            var cache = s_caches[i];
            ulong* entry = s_table + 1 + EntryWords * i;
            entry[0] = (ulong)cache.Start;
            entry[1] = (ulong)cache.End;
            entry[2] = (ulong)cache.Stubs.SegvTrampoline;
            entry[3] = (ulong)cache.Stubs.BusTrampoline;
        }
        Volatile.Write(ref s_table[0], (ulong)s_caches.Count);
    }

    private static void Install()
    {
        s_table = (ulong*)NativeMemory.AllocZeroed((nuint)(1 + EntryWords * MaxCaches), sizeof(ulong));
        var runtimes = stackalloc byte[SigactionSize];
        foreach (int signal in new[] { SigSegv, SigBus })
        {
            if (sigaction(signal, null, runtimes) != 0) throw new InvalidOperationException($"sigaction({signal}) failed: errno {Marshal.GetLastPInvokeError()}");
            nint previous = *(nint*)runtimes;
            // The runtime's flags and mask, with our handler in front of its own; where the runtime has none
            // (Native AOT leaves SIGBUS alone), with the flags a handler on the alternate stack needs.
            if (previous is SigDefault or SigIgnore) *(int*)(runtimes + SaFlagsOffset) = SaSigInfo | SaOnStack | SaRestart;
            *(nint*)runtimes = BuildHandler(signal, previous);
            if (sigaction(signal, runtimes, null) != 0) throw new InvalidOperationException($"sigaction({signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>The handler for <paramref name="signal"/>: signal number in rdi, siginfo in rsi, ucontext in rdx.</summary>
    private static nint BuildHandler(int signal, nint previous)
    {
        var asm = new Assembler(64);
        var chain = asm.CreateLabel();
        var next = asm.CreateLabel();
        var loop = asm.CreateLabel();
        asm.cmp(__dword_ptr[rsi + SiCode], 0);
        asm.jle(chain);                              // sent by a process, not raised by an instruction
        asm.mov(rax, __qword_ptr[rdx + UcRip]);
        asm.mov(r8, (ulong)s_table);
        asm.mov(rcx, __qword_ptr[r8]);
        asm.lea(r9, __[r8 + 8]);
        asm.Label(ref loop);
        asm.test(rcx, rcx);
        asm.jz(chain);
        asm.cmp(rax, __qword_ptr[r9]);
        asm.jb(next);
        asm.cmp(rax, __qword_ptr[r9 + 8]);
        asm.jae(next);
        asm.mov(r10, __qword_ptr[rdx + UcRbp]);      // the guest state of the block that faulted
        asm.mov(__qword_ptr[r10 + GuestState.OffFaultHostRip], rax);
        asm.mov(r11, __qword_ptr[rsi + SiAddr]);
        asm.mov(__qword_ptr[r10 + GuestState.OffFaultAddr], r11);
        asm.mov(r11, __qword_ptr[r9 + (signal == SigSegv ? 16 : 24)]);
        asm.mov(__qword_ptr[rdx + UcRip], r11);
        asm.ret();
        asm.Label(ref next);
        asm.add(r9, 8 * EntryWords);
        asm.dec(rcx);
        asm.jmp(loop);
        asm.Label(ref chain);
        if (previous is SigDefault or SigIgnore)
        {
            // The default action: restore it and return, so the fault happens again and ends the process.
            asm.mov(eax, RtSigaction);
            asm.mov(rsi, (ulong)s_defaultAction);
            asm.xor(edx, edx);
            asm.mov(r10d, 8);
            asm.syscall();
            asm.ret();
        }
        else
        {
            asm.mov(rax, (ulong)previous);
            asm.jmp(rax);
        }
        return NativeStub.Place(asm, $"signal {signal} handler");
    }

    /// <summary>A kernel sigaction of SIG_DFL (all zeros), for the handler to fall back to.</summary>
    private static readonly ulong* s_defaultAction = (ulong*)NativeMemory.AllocZeroed(4, sizeof(ulong));

    // glibc's struct sigaction: handler, 128-byte mask, int flags, restorer.
    private const int SigactionSize = 152, SaFlagsOffset = 136, SaSigInfo = 4, SaOnStack = 0x0800_0000, SaRestart = 0x1000_0000;
    private const nint SigDefault = 0, SigIgnore = 1;
    private const int RtSigaction = 13;

    [DllImport("libc", SetLastError = true)]
    private static extern int sigaction(int signal, byte* action, byte* oldAction);
}
