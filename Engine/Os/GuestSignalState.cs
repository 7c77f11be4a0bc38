using System.Runtime.InteropServices;

namespace Memcheck.Engine.Os;

/// <summary>A guest signal disposition in the kernel's x86-64 struct sigaction layout (32 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct SignalAction(ulong Handler, ulong Flags, ulong Restorer, ulong Mask);

/// <summary>A stack_t as the kernel lays it out (24 bytes: sp, flags, padding, size).</summary>
[StructLayout(LayoutKind.Explicit, Size = 24)]
public readonly record struct SignalStack
{
    public const int OnStack = 1, Disable = 2, AutoDisarm = 1 << 31;

    [field: FieldOffset(0)] public ulong Sp { get; init; }
    [field: FieldOffset(8)] public int Flags { get; init; }
    [field: FieldOffset(16)] public ulong Size { get; init; }

    public static SignalStack Disabled => new() { Flags = Disable };
}

/// <summary>
/// The guest's per-process signal state: the handlers and the signals pending for the whole process, each with
/// the siginfo it was sent with. Recorded here and never installed on the host: the .NET runtime owns the
/// host's handlers and mask. The mask and alternate stack are per thread (<see cref="GuestThread"/>).
/// </summary>
public sealed class GuestSignalState
{
    public const int SignalCount = 64;
    public const int SigKill = 9, SigStop = 19;
    private const int SigChld = 17, SigCont = 18, SigTstp = 20, SigTtin = 21, SigTtou = 22, SigUrg = 23, SigWinch = 28;
    private const ulong SigDefault = 0, SigIgnore = 1;
    private const int SigPipe = 13;
    /// <summary>Bits of the signals no mask can block.</summary>
    public const ulong Unblockable = 1UL << (SigKill - 1) | 1UL << (SigStop - 1);
    /// <summary>Signals whose default action is to ignore them (and the stop signals: the engine does not stop).</summary>
    private const ulong IgnoredByDefault = 1UL << (SigChld - 1) | 1UL << (SigCont - 1) | 1UL << (SigUrg - 1) |
        1UL << (SigWinch - 1) | 1UL << (SigStop - 1) | 1UL << (SigTstp - 1) | 1UL << (SigTtin - 1) | 1UL << (SigTtou - 1);
    /// <summary>The signals a process with no handlers acts on: the ones that end it.</summary>
    public const ulong ActedOnByDefault = ~IgnoredByDefault;

    private readonly SignalAction[] _actions = new SignalAction[SignalCount + 1];
    private readonly byte[]?[] _infos = new byte[]?[SignalCount + 1];

    /// <summary>Signals sent to the process, waiting for a thread that does not block them (bit n-1 for signal n).</summary>
    public ulong Pending { get; private set; }
    /// <summary>Signals the guest acts on: it has a handler, or the default action ends it.</summary>
    public ulong ActedOn { get; private set; } = ActedOnByDefault;

    public SignalAction GetAction(int signal) => _actions[CheckSignal(signal)];

    public void SetAction(int signal, SignalAction action)
    {
        _actions[CheckSignal(signal)] = action;
        ulong bit = 1UL << (signal - 1);
        bool acts = action.Handler != SigIgnore && (action.Handler != SigDefault || (IgnoredByDefault & bit) == 0);
        ActedOn = acts ? ActedOn | bit : ActedOn & ~bit;
        HostSignals.SetActedOn(ActedOn);
    }

    /// <summary>The signals the guest set to SIG_IGN: an execve keeps them ignored.</summary>
    public ulong Ignored
    {
        get
        {
            ulong ignored = 0;
            for (int signal = 1; signal <= SignalCount; signal++)
                if (_actions[signal].Handler == SigIgnore) ignored |= 1UL << (signal - 1);
            return ignored;
        }
    }

    /// <summary>
    /// Starts the guest with the signals the engine's process was started ignoring (SIG_IGN survives execve, so
    /// under nohup the program ignores SIGHUP natively). Read before the engine installs its own handlers.
    /// </summary>
    public void InheritIgnored()
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        if (line is null) return;
        // The .NET runtime sets SIGPIPE to SIG_IGN itself when its console support starts, which may be before
        // this runs: the process's SIGPIPE disposition says nothing of how the engine was started.
        ulong ignored = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & ~(1UL << (SigPipe - 1));
        for (int signal = 1; signal <= SignalCount; signal++)
            if ((ignored & 1UL << (signal - 1)) != 0) SetAction(signal, new SignalAction(SigIgnore, 0, 0, 0));
    }

    public static bool IsIgnoredByDefault(int signal) => (IgnoredByDefault & 1UL << (signal - 1)) != 0;

    /// <summary>Sends the process a signal; <paramref name="info"/> is its siginfo (128 bytes), kept until delivery.</summary>
    public void Raise(int signal, byte[] info)
    {
        Pending |= 1UL << (CheckSignal(signal) - 1);
        _infos[signal] = info;
    }

    /// <summary>The signal is being delivered: no longer pending. Returns the siginfo it was sent with.</summary>
    public byte[]? Clear(int signal)
    {
        Pending &= ~(1UL << (CheckSignal(signal) - 1));
        return _infos[signal];
    }

    private static int CheckSignal(int signal) =>
        signal is >= 1 and <= SignalCount ? signal : throw new ArgumentOutOfRangeException(nameof(signal));
}
