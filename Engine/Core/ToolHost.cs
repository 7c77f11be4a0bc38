using Memcheck.Engine.Cpu;
using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;
using Memcheck.Engine.Reporting;

namespace Memcheck.Engine.Core;

/// <summary>One live guest thread as a tool sees it: Valgrind's thread number (1 for the main thread) and its registers.</summary>
public readonly unsafe struct ToolThread(int number, GuestState* state)
{
    public int Number { get; } = number;
    public GuestState* State { get; } = state;
}

/// <summary>
/// The engine services a tool may use during a run, handed to <see cref="Tool.Attach"/>: the guest's address
/// space (with its mapping events), debug information and stacks, the live threads, and where reports go.
/// </summary>
public sealed unsafe class ToolHost(GuestAddressSpace space, DebugInfoIndex debugInfo, ErrorOutput errors, int numCallers,
    Func<IReadOnlyList<ToolThread>> threads, Func<ulong> instructionsExecuted, Func<int> currentThread, Func<bool> errorsDisabled)
{
    public GuestAddressSpace Space { get; } = space;
    public DebugInfoIndex DebugInfo { get; } = debugInfo;
    public Commentary Commentary => Errors.Commentary;
    /// <summary>Where shown errors go (text or XML), with the run's suppressions.</summary>
    public ErrorOutput Errors { get; } = errors;
    /// <summary>--num-callers: the most frames a captured stack has.</summary>
    public int NumCallers { get; } = numCallers;

    /// <summary>The guest's stack at the thread's RIP, up to <see cref="NumCallers"/> frames, ending as Valgrind ends it.</summary>
    public StackTrace CaptureStack(GuestState* state) => DebugInfo.Capture(state, NumCallers);

    /// <summary>Every live guest thread (for leak-check roots and "is on thread N's stack").</summary>
    public IReadOnlyList<ToolThread> Threads => threads();

    /// <summary>The number of the guest thread running now (Valgrind's, 1 for the main thread).</summary>
    public int CurrentThread => currentThread();

    /// <summary>
    /// Guest instructions executed so far by all threads, counted at block exits: a helper running inside a block
    /// sees the count as of the block's start.
    /// </summary>
    public ulong InstructionsExecuted => instructionsExecuted();

    /// <summary>Whether the running thread turned its error reporting off (VALGRIND_DISABLE_ERROR_REPORTING).</summary>
    public bool ErrorsDisabled => errorsDisabled();
}
