using System.Runtime.InteropServices;
using Memcheck.Engine.Guest;

namespace Memcheck.Engine.Tests.Guest;

/// <summary>The stand-in for a preload object is a shared object the system's ld.so loads.</summary>
public class EmptySharedObjectTests
{
    [Test]
    public void TheHostsLdSoLoadsIt()
    {
        string path = Path.Combine(Path.GetTempPath(), $"empty-{Guid.NewGuid():N}.so");
        File.WriteAllBytes(path, EmptySharedObject.Image("vgpreload_core-amd64-linux.so"));
        try
        {
            Assert.That(NativeLibrary.TryLoad(path, out nint handle), Is.True);
            NativeLibrary.Free(handle);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void ItsSonameIsTheObjectsName()
    {
        byte[] image = EmptySharedObject.Image("vgpreload_core-amd64-linux.so");
        Assert.That(ElfHeaderCheck.Problem(image), Is.Null);
        Assert.That(System.Text.Encoding.ASCII.GetString(image), Does.EndWith("\0vgpreload_core-amd64-linux.so\0"));
    }
}
