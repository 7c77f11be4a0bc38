using System.Text;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tests.Os;

public class PassThroughSyscallTests
{
    private const long ENOENT = 2, EFAULT = 14;

    [Test]
    public void WhatIsWrittenToAPipeIsReadBack()
    {
        using var guest = new GuestFixture();
        Assert.That(guest.Call("pipe2", guest.At(0), 0), Is.Zero);
        int readFd = guest.Read<int>(0), writeFd = guest.Read<int>(4);
        guest.WriteString(64, "hello");

        Assert.That(guest.Call("write", (ulong)writeFd, guest.At(64), 5), Is.EqualTo(5));
        Assert.That(guest.Call("read", (ulong)readFd, guest.At(128), 100), Is.EqualTo(5));
        Assert.That(Encoding.ASCII.GetString(guest.Bytes(128, 5)), Is.EqualTo("hello"));
        Assert.That(guest.Call("close", (ulong)readFd), Is.Zero);
        Assert.That(guest.Call("close", (ulong)writeFd), Is.Zero);
    }

    [Test]
    public void GetpidIsTheHostPid()
    {
        using var guest = new GuestFixture();
        Assert.That(guest.Call("getpid"), Is.EqualTo(Environment.ProcessId));
    }

    [Test]
    public void FailureIsNegativeErrnoInRax()
    {
        using var guest = new GuestFixture();
        guest.WriteString(0, "/nonexistent/memcheck-os-test");
        Assert.That(guest.Call("open", guest.At(0), 0), Is.EqualTo(-ENOENT));
        Assert.That(guest.Call("openat", unchecked((ulong)-100), guest.At(0), 0), Is.EqualTo(-ENOENT));
    }

    [Test]
    public void KernelWritesOutsideGuestMemoryAreRefusedWithEfault()
    {
        using var guest = new GuestFixture();
        guest.Call("pipe2", guest.At(0), 0);
        int readFd = guest.Read<int>(0), writeFd = guest.Read<int>(4);
        guest.WriteString(64, "x");
        guest.Call("write", (ulong)writeFd, guest.At(64), 1);
        byte[] host = [42];
        unsafe
        {
            fixed (byte* hostByte = host)
                Assert.That(guest.Call("read", (ulong)readFd, (ulong)hostByte, 1), Is.EqualTo(-EFAULT));
        }
        Assert.That(host[0], Is.EqualTo(42));
        Assert.That(guest.Call("read", (ulong)readFd, guest.At(128), 1), Is.EqualTo(1), "the byte is still in the pipe");
        guest.Call("close", (ulong)readFd);
        guest.Call("close", (ulong)writeFd);
    }

    [Test]
    public void BufferRunningPastGuestMemoryIsRefused()
    {
        using var guest = new GuestFixture();
        int end = GuestFixture.Pages * GuestFixture.PageSize;
        Assert.That(guest.Call("fstat", 0, guest.At(end - 100)), Is.EqualTo(-EFAULT), "struct stat is 144 bytes");
        Assert.That(guest.Call("fstat", 0, guest.At(end - 144)), Is.Zero);
    }
}
