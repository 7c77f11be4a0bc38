namespace Memcheck.Engine.Tools.Memcheck.Origins;

/// <summary>What made an undefined value: the low two bits of its origin tag (memcheck's origin kinds).</summary>
public enum OriginKind
{
    /// <summary>Memory the guest got undefined from the system (brk, a signal handler's red zone).</summary>
    Unknown = 0,
    Heap = 1,
    Stack = 2,
    ClientRequest = 3,
}

/// <summary>
/// Origin tags, memcheck's 32-bit otags: the number of the context that made a value (see <see cref="OriginSources"/>)
/// shifted left by two, with the <see cref="OriginKind"/> in the low two bits. 0 is no origin. Where values combine
/// the larger tag wins: contexts are numbered in the order they were made, so that is the most recent one.
/// </summary>
public static class OriginTags
{
    public const uint None = 0;

    public static uint Make(int context, OriginKind kind) => checked((uint)(context + 1) << 2) | (uint)kind;

    public static OriginKind KindOf(uint tag) => (OriginKind)(tag & 3);

    /// <summary>The context number of a tag other than <see cref="None"/>.</summary>
    public static int ContextOf(uint tag) => (int)(tag >> 2) - 1;
}
