using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Tests.Core;

/// <summary>The replacement object names its addresses as Valgrind's preload library shows them in stacks.</summary>
public class ReplacementObjectTests
{
    private const string Path = "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so";

    private static ReplacementObject Make()
    {
        var obj = new ReplacementObject(0x4035000, 0x1000, Path);
        obj.Define(0x4035000, "malloc", isEntry: true);
        obj.Define(0x4035010, "_Znwm", isEntry: true);
        obj.Define(0x4035020, "_ZdaPv", isEntry: true);
        obj.Define(0x4035030, "_vgnU_freeres", isEntry: false);
        return obj;
    }

    [TestCase(0x4035000UL, "malloc")]
    [TestCase(0x4035010UL, "operator new(unsigned long)")]
    [TestCase(0x4035020UL, "operator delete[](void*)")]
    [TestCase(0x403503FUL, "_vgnU_freeres")]
    public void AddressesAreNamedWithTheDemangledSymbolInThePreloadObject(ulong address, string function) =>
        Assert.That(Make().Describe(address).Render(innermost: true), Is.EqualTo($"   at 0x{address:X}: {function} (in {Path})"));

    [Test]
    public void OnlyReplacementsAreFunctionEntriesAStackWalkGoesThrough()
    {
        var obj = Make();
        Assert.That((obj.IsEntry(0x4035010), obj.IsEntry(0x4035030), obj.IsEntry(0x4035011)), Is.EqualTo((true, false, false)));
    }

    [Test]
    public void NamesOutsideTheObjectAreRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Make().Define(0x4036000, "free", isEntry: true));
}
