using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.DebugInfo;

public class DemanglerTests
{
    [TestCase("_Znwm", "operator new(unsigned long)")]
    [TestCase("_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector<int, std::allocator<int> >::push_back(int const&)")]
    [TestCase("main", "main")]
    [TestCase("_Znot_a_mangled_name", "_Znot_a_mangled_name")]
    public void DemanglesAsValgrindPrints(string mangled, string expected) =>
        Assert.That(Demangler.Demangle(mangled), Is.EqualTo(expected));

    [Test, Category("Slow")]
    public void EveryFunctionOfACxxProgramDemanglesAsCxxFilt()
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture("nested_fault.cpp"), "-g", "-O0");
        var nm = NativeRunner.Run("nm", [program]).Stdout;
        var mangled = nm.Split('\n').Select(l => l.Split(' ')).Where(p => p.Length == 3 && p[2].StartsWith("_Z")).Select(p => p[2]).ToList();
        Assert.That(mangled, Has.Count.GreaterThan(10));
        var filtered = NativeRunner.Run("c++filt", [], stdin: string.Join('\n', mangled) + "\n").Stdout.TrimEnd('\n').Split('\n');
        Assert.That(mangled.Select(Demangler.Demangle), Is.EqualTo(filtered));
    }
}
