using System.Text;
using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tests.Os;

public class ProcSelfTests
{
    private const long EACCES = 13;
    private const ulong AtFdCwd = unchecked((ulong)-100), ORdWr = 2;

    /// <summary>Opens the path as the guest and reads up to 256 bytes of it.</summary>
    private static string OpenAndRead(GuestFixture guest, string path)
    {
        guest.WriteString(0, path);
        long fd = guest.Call("openat", AtFdCwd, guest.At(0), 0);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), $"open {path}");
        long length = guest.Call("read", (ulong)fd, guest.At(512), 256);
        guest.Call("close", (ulong)fd);
        return Encoding.UTF8.GetString(guest.Bytes(512, (int)length));
    }

    [Test]
    public void ProcSelfExeOpensTheGuestExecutable()
    {
        string executable = Path.GetTempFileName();
        File.WriteAllText(executable, "\x7f" + "ELF guest");
        try
        {
            using var guest = new GuestFixture(process: new ProcessInfo { ExecutablePath = executable });
            Assert.That(OpenAndRead(guest, "/proc/self/exe"), Is.EqualTo("\x7f" + "ELF guest"));
            Assert.That(OpenAndRead(guest, $"/proc/{Environment.ProcessId}/exe"), Is.EqualTo("\x7f" + "ELF guest"));
        }
        finally
        {
            File.Delete(executable);
        }
    }

    [Test]
    public void ProcSelfCmdlineAndAuxvHoldTheGuestsArgvAndAuxiliaryVector()
    {
        var process = new ProcessInfo { ExecutablePath = "/bin/guest", Argv = ["guest", "-x"], Auxv = "auxv-bytes"u8.ToArray() };
        using var guest = new GuestFixture(process: process);
        Assert.That(OpenAndRead(guest, "/proc/self/cmdline"), Is.EqualTo("guest\0-x\0"));
        Assert.That(OpenAndRead(guest, "/proc/self/auxv"), Is.EqualTo("auxv-bytes"));
    }

    [Test]
    public void ProcSelfMapsShowsTheGuestsMappings()
    {
        const string maps = "00400000-00401000 r-xp 00000000 00:00 0 /bin/guest\n";
        using var guest = new GuestFixture(process: new ProcessInfo { ExecutablePath = "/bin/guest", ProcMaps = () => maps });
        Assert.That(OpenAndRead(guest, "/proc/self/maps"), Is.EqualTo(maps));
    }

    [Test]
    public void ProcSelfAuxvCannotBeOpenedForWriting()
    {
        using var guest = new GuestFixture();
        guest.WriteString(0, "/proc/self/auxv");
        Assert.That(guest.Call("open", guest.At(0), ORdWr), Is.EqualTo(-EACCES));
    }
}
