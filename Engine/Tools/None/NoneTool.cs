using Memcheck.Engine.Core;

namespace Memcheck.Engine.Tools.None;

/// <summary>No instrumentation: measures the translator alone (Valgrind's Nulgrind).</summary>
public sealed class NoneTool : Tool
{
    public override string Banner => "Nulgrind, the minimal Valgrind tool";

    /// <summary>Nulgrind's whole final report is one empty commentary line, which -q leaves out.</summary>
    public override void Finish(Commentary commentary)
    {
        if (!commentary.Quiet) commentary.Line();
    }
}
