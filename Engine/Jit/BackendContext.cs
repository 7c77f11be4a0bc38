using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Jit;

/// <summary>
/// What generated code is bound to: the page-ownership map it checks guest accesses against, the cache
/// it lives in, and the evaluator it calls for operations the backend does not inline.
/// </summary>
public sealed unsafe class BackendContext
{
    /// <summary>
    /// The PageMap's first-level table (2^19 pointers indexed by address &gt;&gt; 28). Embedded into every
    /// block as a constant, so it must stay at this address for the cache's lifetime.
    /// </summary>
    public nint PageMapLevel1 { get; }
    public CodeCache Cache { get; }
    /// <summary>
    /// <c>EvalNative(kind, op, resultType, argType, lane, args, result)</c>: evaluates one Unop/Binop/Triop
    /// (kind is the <see cref="StmtKind"/>) on Value128 operands, as the IR interpreter does.
    /// </summary>
    public delegate* unmanaged<int, int, int, int, int, Value128*, Value128*, void> Evaluator { get; }

    public BackendContext(nint pageMapLevel1, CodeCache cache,
        delegate* unmanaged<int, int, int, int, int, Value128*, Value128*, void> evaluator)
    {
        if (pageMapLevel1 == 0) throw new ArgumentException("the page map has no first-level table", nameof(pageMapLevel1));
        if (evaluator == null) throw new ArgumentNullException(nameof(evaluator));
        PageMapLevel1 = pageMapLevel1;
        Cache = cache;
        Evaluator = evaluator;
    }
}
