using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Core;

/// <summary>
/// Runs the guest's threads: each on its own host thread (never the ThreadPool, which does not survive a
/// fork), one at a time under <see cref="GuestLock"/>, and ends the process when a thread calls exit_group,
/// the last thread exits, or a fatal signal kills it. Guest fork forks the host; the child carries on with
/// the forking thread alone. Live threads carry Valgrind's thread numbers: 1 for the main thread, then the
/// lowest free number for each new one.
/// </summary>
internal sealed unsafe class GuestScheduler(IGuestMemoryGuard guard) : IGuestThreads
{
    /// <summary>Host stack of a guest thread: the engine's own frames only (the guest stack is guest memory).</summary>
    private const int HostStackSize = 16 << 20;
    private const ulong FutexWake = 1;
    private static readonly int CloneNumber = SyscallTable.Named("clone").Number;
    private static readonly int FutexNumber = SyscallTable.Named("futex").Number;
    private static readonly int GettidNumber = SyscallTable.Named("gettid").Number;
    private static readonly int ExitGroupNumber = SyscallTable.Named("exit_group").Number;

    [ThreadStatic] private static GuestThread? t_current;
    /// <summary>The registers of the guest thread this host thread runs.</summary>
    [ThreadStatic] private static nint t_registers;

    private readonly GuestMemory _memory = new(guard);
    private readonly object _endGate = new();
    private Func<nint, GuestEnd>? _runThread;
    private Func<GuestEnd, int>? _finish;
    private GuestEnd? _end;
    private ExceptionDispatchInfo? _failure;
    private int _liveThreads;
    /// <summary>Guest instructions run by threads that have exited.</summary>
    private ulong _retiredInstructions;
    /// <summary>Valgrind thread number -> registers of each live thread; changed only under the guest lock.</summary>
    private readonly SortedDictionary<int, nint> _numbered = [];
    private bool _isForkChild;

    public GuestLock Lock { get; } = new();

    public GuestThread Current => t_current ?? throw new InvalidOperationException("not on a guest thread");

    /// <summary>Valgrind's number of the guest thread running on this host thread (the one reporting an error).</summary>
    public int CurrentNumber => _numbered.FirstOrDefault(t => t.Value == t_registers).Key;

    /// <summary>The live guest threads by number (a thread that ended the process stays until the end).</summary>
    public IReadOnlyList<ToolThread> LiveThreads => [.. _numbered.Select(t => new ToolThread(t.Key, (GuestState*)t.Value))];

    /// <summary>Guest instructions executed so far by all threads, exited ones included (massif's time unit "i").</summary>
    public ulong InstructionsExecuted
    {
        get
        {
            ulong total = _retiredInstructions;
            foreach (nint state in _numbered.Values) total += ((GuestState*)state)->InstrCount;
            return total;
        }
    }

    /// <summary>How many guest threads are running; the exit of the last one ends the process.</summary>
    public int LiveThreadCount => _liveThreads;
    /// <summary>The live guest threads by tid, for signals sent to one of them.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, GuestThread> _threads = new();

    public GuestThread? Find(int tid) => _threads.GetValueOrDefault(tid);

    /// <summary>
    /// Runs the guest from its first thread's registers until the process ends, and returns the exit code
    /// <paramref name="finish"/> computes (the report of how it ended is the finisher's). In a forked child
    /// the finisher runs on the thread that ends the child, which then exits the host process.
    /// </summary>
    /// <param name="runThread">The dispatcher loop of one guest thread, given its registers.</param>
    public int Run(GuestState* main, Func<nint, GuestEnd> runThread, Func<GuestEnd, int> finish)
    {
        _runThread = runThread;
        _finish = finish;
        _liveThreads = 1;
        _numbered[1] = (nint)main;
        StartHostThread((nint)main, thread => { }, freeState: false);
        lock (_endGate)
        {
            while (_end is null && _failure is null) Monitor.Wait(_endGate);
        }
        _failure?.Throw();
        return finish(_end!);
    }

    public long CreateThread(GuestState* parent, in CloneRequest request)
    {
        var state = (GuestState*)NativeMemory.AlignedAlloc(GuestState.BlockSize, 64);
        Buffer.MemoryCopy(parent, state, GuestState.BlockSize, GuestState.BlockSize);
        state->Gpr[0] = 0; // the child sees clone return 0
        state->InstrCount = 0; // counted from here on, the parent's count stays the parent's
        if (request.Stack != 0) state->Gpr[4] = request.Stack;
        if (request.Has(CloneRequest.CloneSetTls)) state->FsBase = request.Tls;

        var clone = request;
        ulong mask = Current.SignalMask; // a new thread starts with its creator's mask and no alternate stack
        GuestThread child = StartHostThread((nint)state, thread =>
        {
            thread.SignalMask = mask;
            if (clone.Has(CloneRequest.CloneChildClearTid)) thread.ClearChildTid = clone.ChildTid;
        }, freeState: true);
        _liveThreads++;
        _numbered[LowestFreeNumber()] = (nint)state;
        // The kernel stores the tid before either thread runs on: pthread_create reads it at once.
        if (request.Has(CloneRequest.CloneParentSetTid) && !_memory.TryWrite(request.ParentTid, child.Tid)) return -Errno.EFAULT;
        if (request.Has(CloneRequest.CloneChildSetTid) && !_memory.TryWrite(request.ChildTid, child.Tid)) return -Errno.EFAULT;
        return child.Tid;
    }

    public long Fork(GuestState* state, in CloneRequest request)
    {
        ulong flags = request.Flags & ~(CloneRequest.CloneVm | CloneRequest.CloneVfork);
        long pid = HostSyscall.Invoke(CloneNumber, flags, 0, request.ParentTid, request.ChildTid, request.Tls);
        if (pid != 0) return pid;

        // The child: this host thread is all that survived the fork.
        _isForkChild = true;
        _liveThreads = 1;
        foreach (var (number, _) in _numbered.Where(t => t.Value != (nint)state).ToList()) _numbered.Remove(number);
        Lock.KeepOnlyHolder();
        HostSignals.ForgetWaiters();
        var parent = Current;
        var thread = new GuestThread((int)HostSyscall.Invoke(GettidNumber)) { SignalMask = parent.SignalMask, AltStack = parent.AltStack };
        if (request.Has(CloneRequest.CloneChildClearTid)) thread.ClearChildTid = request.ChildTid;
        t_current = thread;
        _threads.Clear();
        _threads[thread.Tid] = thread;
        if (request.Stack != 0) state->Gpr[4] = request.Stack;
        return 0;
    }

    public void LeaveGuest()
    {
        HostSignals.EnterBlocking(Current.Tid, Current.SignalMask);
        Lock.Release();
    }

    public void EnterGuest()
    {
        HostSignals.LeaveBlocking(Current.Tid);
        Lock.Acquire();
    }

    /// <summary>Starts the host thread of a guest thread and returns once it knows its tid.</summary>
    private GuestThread StartHostThread(nint state, Action<GuestThread> setUp, bool freeState)
    {
        GuestThread? started = null;
        var gate = new object();
        var host = new Thread(() =>
        {
            var thread = new GuestThread((int)HostSyscall.Invoke(GettidNumber));
            setUp(thread);
            t_current = thread;
            t_registers = state;
            _threads[thread.Tid] = thread;
            lock (gate)
            {
                started = thread;
                Monitor.Pulse(gate);
            }
            Body(thread, state, freeState);
        }, HostStackSize) { IsBackground = true, Name = "guest thread" };
        host.Start();
        lock (gate)
        {
            while (started is null) Monitor.Wait(gate);
        }
        return started;
    }

    private void Body(GuestThread thread, nint state, bool freeState)
    {
        try
        {
            Lock.Acquire();
            GuestEnd end = _runThread!(state);
            if (end is GuestEnd.Exited && !thread.ExitsGroup && --_liveThreads > 0)
            {
                ClearChildTid(thread);
                foreach (var (number, _) in _numbered.Where(t => t.Value == state).ToList()) _numbered.Remove(number);
                _retiredInstructions += ((GuestState*)state)->InstrCount;
                _threads.TryRemove(thread.Tid, out _);
                if (freeState) NativeMemory.AlignedFree((void*)state);
                Lock.Release();
                return;
            }
            End(end);
        }
        catch (Exception e)
        {
            // An engine failure on any thread ends the run; Run rethrows it on the caller's thread.
            lock (_endGate)
            {
                _failure ??= ExceptionDispatchInfo.Capture(e);
                Monitor.PulseAll(_endGate);
            }
        }
    }

    private int LowestFreeNumber()
    {
        int number = 1;
        while (_numbered.ContainsKey(number)) number++;
        return number;
    }

    /// <summary>What the kernel does at thread exit for pthread_join: zero the tid word and wake one waiter.</summary>
    private void ClearChildTid(GuestThread thread)
    {
        if (thread.ClearChildTid == 0 || !_memory.TryWrite(thread.ClearChildTid, 0)) return;
        HostSyscall.Invoke(FutexNumber, thread.ClearChildTid, FutexWake, 1);
    }

    /// <summary>The process ends; the caller keeps the guest lock, so no other guest thread runs again.</summary>
    private void End(GuestEnd end)
    {
        if (_isForkChild)
        {
            int code = _finish!(end);
            if (end is GuestEnd.Killed killed) HostSignals.DieBy(killed.Fault.Signal); // as Valgrind's child dies
            HostSyscall.Invoke(ExitGroupNumber, (ulong)code);
        }
        lock (_endGate)
        {
            _end ??= end;
            Monitor.PulseAll(_endGate);
        }
    }
}
