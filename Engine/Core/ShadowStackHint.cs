using Iced.Intel;
using Memcheck.Engine.Guest;

namespace Memcheck.Engine.Core;

/// <summary>
/// rdssp, which libgcc's unwinder runs on every C++ throw: without CET shadow stacks (the guest never gets
/// one) the CPU executes it as a NOP and leaves the destination as it was. Until the lifter knows it, the
/// dispatcher steps over it where the lifter stopped with NoDecode.
/// </summary>
internal static class ShadowStackHint
{
    /// <summary>The length of the rdssp at <paramref name="pc"/>, or 0 when something else is there.</summary>
    public static int NopLength(GuestCodeSource code, ulong pc)
    {
        Span<byte> bytes = stackalloc byte[15];
        int n = code.Read(pc, bytes);
        var decoder = Decoder.Create(64, bytes[..n].ToArray(), pc);
        var instruction = decoder.Decode();
        return instruction.Mnemonic is Mnemonic.Rdsspd or Mnemonic.Rdsspq ? instruction.Length : 0;
    }
}
