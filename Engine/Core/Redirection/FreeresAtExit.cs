using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core.Redirection;

/// <summary>
/// Valgrind's final tidy-up for tools that track the heap: when the process exits (exit_group, or the exit of its
/// last thread; never a fatal signal), the exiting thread first runs the guest's __gnu_cxx::__freeres and then
/// __libc_freeres, so memory the C and C++ runtimes keep to the end is freed where the tool sees it. Each runs as
/// a call from the replacement object whose return lands on the next stage; the last stage ends the guest with
/// the status it exited with.
/// </summary>
internal sealed unsafe class FreeresAtExit
{
    /// <summary>Which cleanups run: the tool asks for them, --run-cxx-freeres and --run-libc-freeres can veto each.</summary>
    public readonly record struct Choice(bool Cxx, bool Libc);

    public const string CxxFreeres = "_ZN9__gnu_cxx9__freeresEv", LibcFreeres = "__libc_freeres";
    /// <summary>The function Valgrind's preload runs the cleanups from; stacks inside them end there.</summary>
    public const string WrapperName = "_vgnU_freeres";
    /// <summary>Replacement-object slots: one stage per cleanup and the end.</summary>
    public const int Slots = 3;

    private readonly ulong _slotSize;
    private readonly Choice _choice;
    private readonly Func<string, ulong?> _functionNamed;
    private List<ulong>? _calls;
    private int _status;
    private nint _runner;

    /// <param name="functionNamed">The guest address of a function of a mapped object, by symbol.</param>
    public FreeresAtExit(ulong entry, ulong slotSize, Choice choice, Func<string, ulong?> functionNamed)
    {
        Entry = entry;
        _slotSize = slotSize;
        _choice = choice;
        _functionNamed = functionNamed;
    }

    public ulong Entry { get; }

    /// <summary>
    /// Whether <paramref name="state"/> is the exiting thread running the cleanups: it keeps the guest lock to the
    /// end, while any other thread that gets the lock (the cleanups may block in a syscall) hands it back.
    /// </summary>
    public bool RunsOn(GuestState* state) => _calls is not null && _runner == (nint)state;

    /// <summary>
    /// The guest ends with <paramref name="status"/>: points the thread at the first cleanup and returns true, or
    /// returns false when there is none to run (not chosen, not defined, or already run).
    /// </summary>
    public bool TryStart(GuestState* state, int status)
    {
        if (_calls is not null) return false;
        var calls = new List<ulong>();
        if (_choice.Cxx && _functionNamed(CxxFreeres) is { } cxx) calls.Add(cxx);
        if (_choice.Libc && _functionNamed(LibcFreeres) is { } libc) calls.Add(libc);
        if (calls.Count == 0) return false;
        _calls = calls;
        _status = status;
        _runner = (nint)state;
        state->Rip = Stage(0);
        return true;
    }

    /// <summary>The exit status once the last cleanup returned to <paramref name="pc"/>; null anywhere else.</summary>
    public int? Finished(ulong pc) => _calls is not null && pc == Stage(_calls.Count) ? _status : null;

    /// <summary>The call of a cleanup stage, at its address in the replacement object.</summary>
    public Superblock? BlockAt(ulong pc)
    {
        if (_calls is null) return null;
        for (int k = 0; k < _calls.Count; k++)
            if (pc == Stage(k)) return RedirectBlocks.CallFrom(pc, _calls[k], Stage(k + 1));
        return null;
    }

    private ulong Stage(int k) => Entry + (ulong)k * _slotSize;
}
