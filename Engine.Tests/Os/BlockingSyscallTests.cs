namespace Memcheck.Engine.Tests.Os;

public class BlockingSyscallTests
{
    [Test]
    public void GarbageCollectionRunsWhileAGuestSyscallBlocks()
    {
        using var guest = new GuestFixture();
        guest.Read<long>(0) = 1;               // timespec: 1.5 s
        guest.Read<long>(8) = 500_000_000;
        long sleepResult = -1;
        var sleeper = new Thread(() => sleepResult = guest.Call("nanosleep", guest.At(0), 0));
        sleeper.Start();
        Thread.Sleep(200); // long enough to be inside nanosleep

        // Were the syscall entered without the GC transition, the collection would wait for the sleep to end.
        var collector = new Thread(() => GC.Collect(2, GCCollectionMode.Forced, blocking: true));
        collector.Start();
        bool collectedWhileSleeping = collector.Join(TimeSpan.FromSeconds(1));
        sleeper.Join();
        collector.Join();
        Assert.That(collectedWhileSleeping, Is.True, "a collection must not wait for a thread blocked in the kernel");
        Assert.That(sleepResult, Is.Zero);
    }
}
