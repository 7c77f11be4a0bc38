using Memcheck.Engine.Core.Redirection;
using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Tests.Core;

/// <summary>What redirection reads of an ELF object: its soname, and every name of each function, IFUNCs marked.</summary>
public class ObjectSymbolsTests
{
    private const string Libc = "/lib/x86_64-linux-gnu/libc.so.6";

    private static ObjectSymbols ReadLibc() => ObjectSymbols.Read(Libc, new DebugObject(Libc).DebugFilePath);

    [Test]
    public void ALibraryIsKnownByItsSoname() => Assert.That(ReadLibc().Soname, Is.EqualTo("libc.so.6"));

    [Test]
    public void AnExecutableWithoutSonameIsNone() =>
        Assert.That(ObjectSymbols.Read("/bin/true", null).Soname, Is.EqualTo(ObjectSymbols.NoSoname));

    [Test]
    public void EveryNameOfAnAddressIsKeptWithoutItsVersion()
    {
        var symbols = ReadLibc().Symbols;
        ulong malloc = symbols.First(s => s.Name == "malloc").Address;
        Assert.That(symbols.Where(s => s.Address == malloc).Select(s => s.Name), Does.Contain("__libc_malloc"));
        Assert.That(symbols.Select(s => s.Name), Has.None.Contains("@"));
    }

    [Test]
    public void StrlenIsAnIfuncAndMallocIsNot()
    {
        var symbols = ReadLibc().Symbols;
        Assert.That(symbols.Where(s => s.Name == "strlen").Select(s => s.IsIfunc).Distinct(), Is.EqualTo(new[] { true }));
        Assert.That(symbols.Where(s => s.Name == "malloc").Select(s => s.IsIfunc).Distinct(), Is.EqualTo(new[] { false }));
    }
}
