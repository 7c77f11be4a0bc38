using Memcheck.Engine.Jit;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// Compiled blocks checked against a tool's addressability map: a test machine, a <see cref="ShadowedMemory"/>, and
/// the backend context whose access check is that memory's map.
/// </summary>
internal sealed class ShadowedJit : IDisposable
{
    public JitTestMachine Machine { get; } = new();
    public ShadowedMemory Memory { get; }
    public BackendContext Context { get; }

    /// <param name="origins">Whether the shadow keeps origin tags too.</param>
    /// <param name="sharedSecondaries">Whether generated code is told where the shared secondaries lie, which it needs before it writes the map.</param>
    public ShadowedJit(bool origins = false, bool sharedSecondaries = false)
    {
        Memory = new ShadowedMemory(origins);
        var check = sharedSecondaries ? Memory.Check with { SharedSecondaries = Memory.Shadow.SharedSecondaries } : Memory.Check;
        Context = new BackendContext(Machine.PageMap.Level1, Machine.Cache) { AccessCheck = check };
    }

    public void Dispose()
    {
        Memory.Dispose();
        Machine.Dispose();
    }
}
