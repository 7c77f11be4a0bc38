using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;

namespace Memcheck.Engine.Core;

/// <summary>One live guest thread as a tool sees it: Valgrind's thread number (1 for the main thread) and its registers.</summary>
public readonly unsafe struct ToolThread(int number, GuestState* state)
{
    public int Number { get; } = number;
    public GuestState* State { get; } = state;
}

/// <summary>
/// The engine services a tool may use during a run, handed to <see cref="Tool.Attach"/>: the guest's address
/// space (with its mapping events), debug information and stacks, the live threads, and the commentary.
/// </summary>
public sealed unsafe class ToolHost(GuestAddressSpace space, DebugInfoIndex debugInfo, Commentary commentary, int numCallers,
    Func<IReadOnlyList<ToolThread>> threads, Func<ulong> instructionsExecuted)
{
    public GuestAddressSpace Space { get; } = space;
    public DebugInfoIndex DebugInfo { get; } = debugInfo;
    public Commentary Commentary { get; } = commentary;
    /// <summary>--num-callers: the most frames a captured stack has.</summary>
    public int NumCallers { get; } = numCallers;

    /// <summary>The guest's stack at the thread's RIP, up to <see cref="NumCallers"/> frames, ending as Valgrind ends it.</summary>
    public StackTrace CaptureStack(GuestState* state) => DebugInfo.Capture(state, NumCallers);

    /// <summary>Every live guest thread (for leak-check roots and "is on thread N's stack").</summary>
    public IReadOnlyList<ToolThread> Threads => threads();

    /// <summary>Valgrind's number of the live thread with these registers (an error's "Thread 2:"); 1 if none is.</summary>
    public int ThreadNumber(GuestState* state)
    {
        foreach (ToolThread thread in Threads)
            if (thread.State == state) return thread.Number;
        return 1;
    }

    /// <summary>
    /// Guest instructions executed so far by all threads, counted at block exits: a helper running inside a block
    /// sees the count as of the block's start.
    /// </summary>
    public ulong InstructionsExecuted => instructionsExecuted();
}
