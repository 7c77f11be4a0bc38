using Memcheck.Engine.Os;
using Microsoft.Win32.SafeHandles;

namespace Memcheck.Engine.Tests.Os;

public class HostFileDescriptorTests
{
    private const long EBADF = 9;

    private static SafeFileHandle OpenTemp(out string path)
    {
        path = Path.GetTempFileName();
        return File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, FileOptions.DeleteOnClose);
    }

    [Test]
    public void GuestCannotCloseOrDupOverAHostDescriptor()
    {
        using var handle = OpenTemp(out _);
        int fd = (int)handle.DangerousGetHandle();
        var hostFds = new HostFileDescriptors();
        hostFds.Protect(fd);
        using var guest = new GuestFixture(hostFds);

        Assert.That(guest.Call("close", (ulong)fd), Is.EqualTo(-EBADF));
        Assert.That(guest.Call("dup2", 1, (ulong)fd), Is.EqualTo(-EBADF));
        Assert.That(guest.Call("dup3", 1, (ulong)fd, 0), Is.EqualTo(-EBADF));
        Assert.That(guest.Call("fstat", (ulong)fd, guest.At(0)), Is.Zero, "still open");
    }

    [Test]
    public void SnapshotProtectsWhatIsOpenButNotStdio()
    {
        using var handle = OpenTemp(out _);
        int fd = (int)handle.DangerousGetHandle();
        var hostFds = HostFileDescriptors.Snapshot();
        Assert.That(hostFds.IsHost(fd), Is.True);
        Assert.That(hostFds.IsHost(2), Is.False);
    }

    [Test]
    public void ANumberTheHostGaveUpBelongsToTheGuestOnceReused()
    {
        var first = OpenTemp(out _);
        int fd = (int)first.DangerousGetHandle();
        var hostFds = new HostFileDescriptors();
        hostFds.Protect(fd);
        first.Dispose();
        using var guest = new GuestFixture(hostFds);
        guest.WriteString(0, "/dev/null");
        long reopened = guest.Call("open", guest.At(0), 0);
        Assume.That(reopened, Is.EqualTo(fd), "the kernel hands out the lowest free number");
        Assert.That(guest.Call("close", (ulong)reopened), Is.Zero);
    }

    [Test]
    public void CloseRangeSkipsHostDescriptors()
    {
        using var handle = OpenTemp(out _);
        int hostFd = (int)handle.DangerousGetHandle();
        // Everything open now is protected, so the range can only close what the guest opens below.
        using var guest = new GuestFixture(HostFileDescriptors.Snapshot());
        guest.WriteString(0, "/dev/null");
        var guestFds = Enumerable.Range(0, 3).Select(_ => (ulong)guest.Call("open", guest.At(0), 0)).ToList();
        ulong low = Math.Min((ulong)hostFd, guestFds.Min()), high = Math.Max((ulong)hostFd, guestFds.Max());

        Assert.That(guest.Call("close_range", low, high, 0), Is.Zero);
        Assert.That(guest.Call("fstat", (ulong)hostFd, guest.At(0)), Is.Zero, "host descriptor open");
        foreach (ulong fd in guestFds)
            Assert.That(guest.Call("fstat", fd, guest.At(0)), Is.EqualTo(-EBADF), $"guest descriptor {fd} closed");
    }
}
