using System.Runtime.InteropServices;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tests.Os;

/// <summary>Kernel writes through pointers the guest passes must land in guest memory, never in the engine's.</summary>
public unsafe class OutputCheckTests
{
    private const long EFAULT = 14;
    private const ulong AfUnix = 1, SockStream = 1;

    private static (ulong Read, ulong Write) Pipe(GuestFixture guest)
    {
        guest.Call("pipe2", guest.At(0), 0);
        return ((ulong)guest.Read<int>(0), (ulong)guest.Read<int>(4));
    }

    [Test]
    public void ReadvIntoAHostBufferFailsAndIntoGuestBuffersWorks()
    {
        using var guest = new GuestFixture();
        var (readFd, writeFd) = Pipe(guest);
        guest.WriteString(64, "abcd");
        guest.Call("write", writeFd, guest.At(64), 4);
        byte* host = (byte*)NativeMemory.AllocZeroed(16);
        try
        {
            guest.Read<ulong>(256) = guest.At(512);
            guest.Read<ulong>(264) = 2;
            guest.Read<ulong>(272) = (ulong)host;
            guest.Read<ulong>(280) = 2;
            Assert.That(guest.Call("readv", readFd, guest.At(256), 2), Is.EqualTo(-EFAULT));
            Assert.That(host[0], Is.Zero);

            guest.Read<ulong>(272) = guest.At(600);
            Assert.That(guest.Call("readv", readFd, guest.At(256), 2), Is.EqualTo(4));
            Assert.That(guest.Bytes(600, 2).ToArray(), Is.EqualTo("cd"u8.ToArray()));
        }
        finally
        {
            NativeMemory.Free(host);
            guest.Call("close", readFd);
            guest.Call("close", writeFd);
        }
    }

    [Test]
    public void RecvmsgIntoAHostBufferFails()
    {
        using var guest = new GuestFixture();
        Assert.That(guest.Call("socketpair", AfUnix, SockStream, 0, guest.At(0)), Is.Zero);
        ulong a = (ulong)guest.Read<int>(0), b = (ulong)guest.Read<int>(4);
        guest.WriteString(64, "hi");
        guest.Call("write", a, guest.At(64), 2);
        byte* host = (byte*)NativeMemory.AllocZeroed(16);
        try
        {
            guest.Read<ulong>(256) = (ulong)host; // iovec
            guest.Read<ulong>(264) = 16;
            guest.Read<ulong>(300 + 16) = guest.At(256); // msghdr: msg_iov, msg_iovlen
            guest.Read<ulong>(300 + 24) = 1;
            Assert.That(guest.Call("recvmsg", b, guest.At(300), 0), Is.EqualTo(-EFAULT));
            Assert.That(host[0], Is.Zero);

            guest.Read<ulong>(256) = guest.At(512);
            Assert.That(guest.Call("recvmsg", b, guest.At(300), 0), Is.EqualTo(2));
        }
        finally
        {
            NativeMemory.Free(host);
            guest.Call("close", a);
            guest.Call("close", b);
        }
    }

    [Test]
    public void GetsocknameIntoAHostBufferFails()
    {
        using var guest = new GuestFixture();
        guest.Call("socketpair", AfUnix, SockStream, 0, guest.At(0));
        ulong a = (ulong)guest.Read<int>(0), b = (ulong)guest.Read<int>(4);
        byte* host = (byte*)NativeMemory.AllocZeroed(128);
        try
        {
            guest.Read<uint>(64) = 110;
            Assert.That(guest.Call("getsockname", a, (ulong)host, guest.At(64)), Is.EqualTo(-EFAULT));
            Assert.That(guest.Call("getsockname", a, guest.At(128), guest.At(64)), Is.Zero);
        }
        finally
        {
            NativeMemory.Free(host);
            guest.Call("close", a);
            guest.Call("close", b);
        }
    }

    [Test]
    public void IoctlThatWritesIsCheckedByItsRequest()
    {
        using var guest = new GuestFixture();
        const ulong tiocgwinsz = 0x5413;
        ulong hostWord = 0;
        Assert.That(guest.Call("ioctl", 0, tiocgwinsz, (ulong)&hostWord), Is.EqualTo(-EFAULT));
        Assert.That(guest.Call("ioctl", 0, tiocgwinsz, guest.At(0)), Is.Not.EqualTo(-EFAULT));
    }

    [Test]
    public void IoctlLayoutsComeFromTheTableOrTheRequestEncoding()
    {
        Assert.That(IoctlTable.Find(0x5401), Is.EqualTo(new IoctlLayout(0x5401, "TCGETS", 0, 36)));
        Assert.That(IoctlTable.Find(0x80045430)?.WriteSize, Is.EqualTo(4), "TIOCGPTN is _IOR('T', 0x30, unsigned int)");
        Assert.That(IoctlTable.Find(0x40045431)?.ReadSize, Is.EqualTo(4), "TIOCSPTLCK is _IOW('T', 0x31, int)");
        Assert.That(IoctlTable.Find(0x1234), Is.Null);
    }

    [Test]
    public void IoctlRequestsCarryValgrindsNamesForThem()
    {
        Assert.That(IoctlTable.Find(0x5403)?.Name, Is.EqualTo("TCSET{S,SW,SF}"), "TCSETSW");
        Assert.That(IoctlTable.Find(0x5407)?.Name, Is.EqualTo("TCSET{A,AW,AF}"), "TCSETAW");
        Assert.That(IoctlTable.Find(0x40045431)?.Name, Is.EqualTo("generic"), "an _IOC-encoded request");
    }
}
