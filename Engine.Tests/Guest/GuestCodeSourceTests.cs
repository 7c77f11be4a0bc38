using Memcheck.Engine.Guest;
using static Memcheck.Engine.Guest.LinuxMm;

namespace Memcheck.Engine.Tests.Guest;

public unsafe class GuestCodeSourceTests
{
    [Test]
    public void ReadStopsAtTheFirstNonExecutablePage()
    {
        using var space = new GuestAddressSpace();
        long a = space.Mmap(0, 0x2000, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        *(ulong*)(a + 0xFF8) = 0x1122334455667788;
        Assert.That(space.Mprotect((ulong)a, 0x1000, ProtRead | ProtExec), Is.Zero);
        var source = new GuestCodeSource(space.Pages);
        var buffer = new byte[16];

        Assert.That(source.Read((ulong)a + 0xFF8, buffer), Is.EqualTo(8));
        Assert.That(BitConverter.ToUInt64(buffer), Is.EqualTo(0x1122334455667788UL));
        Assert.That(source.Read((ulong)a + 0x1000, buffer), Is.Zero);
    }

    [Test]
    public void ReadCrossesIntoAnotherExecutablePage()
    {
        using var space = new GuestAddressSpace();
        long a = space.Mmap(0, 0x2000, ProtRead | ProtExec, MapPrivate | MapAnonymous, -1, 0);
        Assert.That(new GuestCodeSource(space.Pages).Read((ulong)a + 0xFFC, new byte[15]), Is.EqualTo(15));
    }
}
