using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Core;

/// <summary>
/// What a tool plugs into the core: it rewrites each superblock before optimisation and hears about
/// the run. The core calls it and knows nothing of any particular tool.
/// </summary>
public abstract class Tool
{
    /// <summary>The first header line, e.g. "Nulgrind, the minimal Valgrind tool".</summary>
    public abstract string Banner { get; }

    /// <summary>Add instrumentation to a freshly lifted superblock.</summary>
    public virtual Superblock Instrument(Superblock sb) => sb;

    /// <summary>The guest has ended; write the tool's final report.</summary>
    public virtual void Finish(Commentary commentary) { }
}
