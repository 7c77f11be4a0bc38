namespace Memcheck.Engine.Ir;

/// <summary>
/// Answers whether the guest owns memory with the needed protection. Guest addresses are host
/// addresses, so executing IR only ever touches memory this guard has allowed.
/// </summary>
public interface IGuestMemoryGuard
{
    bool CanRead(ulong address, int size);
    bool CanWrite(ulong address, int size);
}
