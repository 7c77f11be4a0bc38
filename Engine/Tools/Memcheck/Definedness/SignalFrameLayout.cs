namespace Memcheck.Engine.Tools.Memcheck.Definedness;

/// <summary>
/// The extent of the rt_sigframe the engine writes (Engine/Os/SignalFrame): return address, ucontext and siginfo
/// (440 bytes) from RSP + 8 (RSP + 8 is 16-aligned as at a function's entry), then the xsave image at the next 64-byte boundary. Memcheck marks it defined, as
/// Valgrind marks the frames it builds, so a handler reading its siginfo reads no dead stack.
/// </summary>
internal static class SignalFrameLayout
{
    private const ulong FrameBeforeFpState = 8 + 8 + 304 + 128, FpStateAlignment = 64;

    public static ulong BytesAt(ulong sp)
    {
        ulong fpstate = (sp + FrameBeforeFpState + FpStateAlignment - 1) & ~(FpStateAlignment - 1);
        return fpstate + Os.SignalFrame.FpStateSize - sp;
    }
}
