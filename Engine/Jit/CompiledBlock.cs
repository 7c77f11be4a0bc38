using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Jit;

/// <summary>
/// A superblock translated to host code in a <see cref="CodeCache"/>. The dispatcher calls
/// <see cref="Entry"/> (through the cache's entry stub, which saves its registers and sets up the frame every
/// block shares); it returns the next guest RIP (also in state->Rip) with the exit's
/// <see cref="JumpKind"/> in state->ExitKind and, for a chainable exit, the exit's patch site in
/// state->ExitAddr (0 otherwise), to hand to <see cref="CodeCache.Chain"/> once the target is translated.
/// </summary>
public sealed unsafe class CompiledBlock
{
    private readonly List<ExitSite> _exits = [];
    private readonly List<ExitSite> _incoming = [];

    public ulong GuestAddress { get; }
    public IReadOnlyList<(ulong Start, int Length)> Extents { get; }
    public nint HostAddress { get; }
    public int HostSize { get; }
    /// <summary>
    /// Where backward chained jumps, the lookup stub and the entry stub enter: the block's first byte, its budget
    /// check.
    /// </summary>
    internal nint ChainEntry => HostAddress;
    /// <summary>
    /// Where forward chained jumps enter, past the budget check (Valgrind's fast entry point). Every cycle of blocks
    /// has a backward jump (a target at or below the jumping block's highest guest address): that one checks.
    /// </summary>
    internal nint ForwardEntry => HostAddress + _bodyOffset;
    /// <summary>Time <see cref="BlockCompiler.Compile"/> took, for the translator's benchmarks.</summary>
    public TimeSpan CompileTime { get; internal set; }
    /// <summary>False once invalidated or flushed: the dispatcher must not call it again.</summary>
    public bool IsValid { get; internal set; } = true;

    internal IReadOnlyList<ExitSite> Exits => _exits;
    internal List<ExitSite> Incoming => _incoming;

    /// <summary>
    /// Bytes the block reserves below the frame all blocks share (spill slots beyond the shared ones; usually 0);
    /// a host fault handler pops them before <see cref="CodeCache.FaultExitStub"/>.
    /// </summary>
    public int FrameSize { get; }
    /// <summary>Host offset where each guest instruction's code starts, in order.</summary>
    private readonly (int HostOffset, ulong Guest)[] _instructionMap;
    private readonly delegate* unmanaged<GuestState*, nint, ulong> _enter;

    private readonly int _bodyOffset;

    internal CompiledBlock(ulong guestAddress, (ulong, int)[] extents, nint hostAddress, int hostSize, int bodyOffset,
        int frameSize, (int HostOffset, ulong Guest)[] instructionMap, nint enterStub)
    {
        _bodyOffset = bodyOffset;
        GuestAddress = guestAddress;
        Extents = extents;
        HostAddress = hostAddress;
        HostSize = hostSize;
        FrameSize = frameSize;
        _instructionMap = instructionMap;
        _enter = (delegate* unmanaged<GuestState*, nint, ulong>)enterStub;
    }

    /// <summary>Runs the block (and whatever it chains to) on <paramref name="state"/>; returns the next guest RIP.</summary>
    public ulong Entry(GuestState* state) => _enter(state, HostAddress);

    /// <summary>
    /// The guest instruction whose code contains <paramref name="hostAddress"/> (inside this block), for
    /// turning a host fault in generated code into a guest signal at the right instruction.
    /// Out-of-line code (exit and fault stubs) maps to the block's last instruction.
    /// </summary>
    public ulong GuestInstructionAt(nint hostAddress)
    {
        int offset = (int)(hostAddress - HostAddress);
        ulong guest = GuestAddress;
        foreach (var (hostOffset, g) in _instructionMap)
        {
            if (hostOffset > offset) break;
            guest = g;
        }
        return guest;
    }

    public bool HasInstructionAt(ulong guest)
    {
        foreach (var (_, g) in _instructionMap)
            if (g == guest) return true;
        return false;
    }

    internal void AddExit(ExitSite site) => _exits.Add(site);

    public bool Overlaps(ulong start, ulong length)
    {
        foreach (var (s, len) in Extents)
            if (s < start + length && start < s + (ulong)len) return true;
        return false;
    }

    public override string ToString() => $"block 0x{GuestAddress:x} at 0x{HostAddress:x} ({HostSize} bytes)";
}

/// <summary>
/// The branch of a constant-target exit: a <c>jmp rel32</c>, or the <c>jcc rel32</c> of a side exit that has
/// nothing to do before leaving. Unchained it goes to <see cref="Unchained"/> (the return to the dispatcher);
/// chained, straight into the target block.
/// </summary>
internal sealed class ExitSite(nint patchAddress, nint unchained, ulong target, bool forward)
{
    /// <summary>The branch's rel32 field; also how the exit names itself to the dispatcher (state->ExitAddr).</summary>
    public nint PatchAddress { get; } = patchAddress;
    public nint Unchained { get; } = unchained;
    public ulong Target { get; } = target;
    /// <summary>Whether the target lies beyond the jumping block's code, so the jump may skip its budget check.</summary>
    public bool Forward { get; } = forward;
    /// <summary>Where in a target block a chained jump from here enters.</summary>
    public nint EntryOf(CompiledBlock block) => Forward ? block.ForwardEntry : block.ChainEntry;
    public CompiledBlock? ChainedTo { get; set; }

    /// <summary>Jump kinds whose exits need nothing from the dispatcher, so they may go straight to the target.</summary>
    public static bool IsChainable(JumpKind kind) => kind is JumpKind.Boring or JumpKind.Call or JumpKind.Ret;
}
