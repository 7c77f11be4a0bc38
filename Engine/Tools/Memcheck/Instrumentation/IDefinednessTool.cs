using Memcheck.Engine.Cpu;

namespace Memcheck.Engine.Tools.Memcheck.Instrumentation;

/// <summary>
/// What the V-bit helpers need from the tool, found through <see cref="GuestState.ToolHandle"/> (a GCHandle to an
/// object implementing both interfaces): the shadow memory and the error reports.
/// </summary>
public interface IShadowMemoryOwner
{
    ShadowMemory Shadow { get; }

    /// <summary>
    /// --partial-loads-ok: an aligned 8- or 16-byte load with some but not all bytes noaccess reads those bytes as
    /// undefined (no address error); otherwise they read as defined after the address error.
    /// </summary>
    bool PartialLoadsOk { get; }

    /// <summary>
    /// The origin tag of stack memory allocated by the instruction at <paramref name="codeAddress"/>, or by a call
    /// entering the function there; <see cref="Origins.OriginTags.None"/> without --track-origins=yes.
    /// </summary>
    uint StackOrigin(ulong codeAddress);
}

/// <summary>
/// The undefined-value errors generated code reports, at the places memcheck reports them. When called,
/// <see cref="GuestState.Rip"/> holds the offending instruction and RSP/RBP are current, so a stack can be captured.
/// <c>origin</c> is the origin tag of the undefined value (<see cref="Origins.OriginTags.None"/> without origins).
/// </summary>
public unsafe interface IUndefinedValueReports
{
    /// <summary>"Conditional jump or move depends on uninitialised value(s)": a branch condition is undefined.</summary>
    void ConditionalJump(GuestState* state, uint origin);

    /// <summary>"Use of uninitialised value of size N": an address, jump target or index is undefined.</summary>
    void ValueOfSize(GuestState* state, int size, uint origin);
}
