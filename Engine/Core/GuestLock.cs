namespace Memcheck.Engine.Core;

/// <summary>
/// The one lock that serialises guest execution: the translator, code cache and dispatcher state are
/// single-threaded. A ticket lock, so threads take turns in arrival order and a thread that yields cannot
/// take the lock straight back from those waiting. Not bound to a host thread: a thread that ends the
/// process leaves it held so no other guest thread runs guest code again.
/// </summary>
internal sealed class GuestLock
{
    private readonly object _gate = new();
    private long _nextTicket, _serving;

    /// <summary>Whether another thread waits for its turn (a cheap, racy read: a hint for yielding).</summary>
    public bool Contended => Volatile.Read(ref _nextTicket) - Volatile.Read(ref _serving) > 1;

    public void Acquire()
    {
        lock (_gate)
        {
            long ticket = _nextTicket++;
            while (ticket != _serving) Monitor.Wait(_gate);
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _serving++;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Gives the waiting threads their turn; this one queues behind them.</summary>
    public void Yield()
    {
        Release();
        Acquire();
    }

    /// <summary>In a forked child only the calling thread, the holder, exists: tickets of the others are void.</summary>
    public void KeepOnlyHolder()
    {
        lock (_gate) _nextTicket = _serving + 1;
    }
}
