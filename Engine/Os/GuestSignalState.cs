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
/// Signal state the guest set up. Recorded here and never installed on the host: the .NET runtime owns
/// the host's handlers and mask. Delivery to guest handlers reads it. With one guest thread for now, the
/// mask and alternate stack (per thread in Linux) live here with the handlers (per process).
/// </summary>
public sealed class GuestSignalState
{
    public const int SignalCount = 64;
    public const int SigKill = 9, SigStop = 19;
    /// <summary>Bits of the signals no mask can block.</summary>
    public const ulong Unblockable = 1UL << (SigKill - 1) | 1UL << (SigStop - 1);

    private readonly SignalAction[] _actions = new SignalAction[SignalCount + 1];

    /// <summary>Blocked signals: bit n-1 for signal n.</summary>
    public ulong Mask { get; set; }
    /// <summary>Signals the guest sent itself, waiting for delivery (bit n-1 for signal n).</summary>
    public ulong Pending { get; private set; }
    public SignalStack AltStack { get; set; } = SignalStack.Disabled;

    public SignalAction GetAction(int signal) => _actions[CheckSignal(signal)];
    public void SetAction(int signal, SignalAction action) => _actions[CheckSignal(signal)] = action;

    public void Raise(int signal) => Pending |= 1UL << (CheckSignal(signal) - 1);

    /// <summary>Adds a set of pending signals (bit n-1 for signal n), as taken from the host.</summary>
    public void RaiseAll(ulong signals) => Pending |= signals;

    /// <summary>The signal is being delivered: no longer pending.</summary>
    public void Clear(int signal) => Pending &= ~(1UL << (CheckSignal(signal) - 1));

    private static int CheckSignal(int signal) =>
        signal is >= 1 and <= SignalCount ? signal : throw new ArgumentOutOfRangeException(nameof(signal));
}
