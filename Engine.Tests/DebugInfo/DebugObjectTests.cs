using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Tests.Support;

namespace Memcheck.Engine.Tests.DebugInfo;

public class DebugObjectTests
{
    [Test, Category("Slow")]
    public void LibcUsesItsDebugFileFoundByBuildId()
    {
        var libc = new DebugObject(LineTableTests.LibcPath);
        Assume.That(Directory.Exists(DebugObject.DebugRoot + "/.build-id"), "no /usr/lib/debug/.build-id");
        Assert.That(libc.DebugFilePath, Does.StartWith(DebugObject.DebugRoot + "/.build-id/").And.EndWith(".debug"));
        // .dynsym alone names about 2300 distinct addresses; the debug file's .symtab adds the static functions.
        Assert.That(libc.SymbolCount, Is.GreaterThan(4000));
    }

    [Test, Category("Slow")]
    public void StaticFunctionsAndLinesOfAProgramAreFound()
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture("nested_fault.c"), "-g", "-O0");
        var obj = new DebugObject(program);
        var leafLine = obj.Lines!.Rows.First(r => r.Line == 9 && !r.EndSequence);
        Assert.That(obj.FunctionAt(leafLine.Address)?.Name, Is.EqualTo("leaf"));
        Assert.That(obj.DebugFilePath, Is.Null);
    }

    [Test, Category("Slow")]
    public void BiasOfAPieMappingIsItsStartForTheFirstSegment()
    {
        string program = FixtureCompiler.Compile(DebugInfoFiles.Fixture("nested_fault.c"), "-g", "-O0");
        Assert.That(new DebugObject(program).Bias(0x108000, 0), Is.EqualTo(0x108000));
    }

    [Test]
    public void DefaultVersionThenGlobalThenFewerUnderscoresIsPreferred()
    {
        ElfSymbol Sym(string name, bool global = true) => new(0x1000, 8, name, true, global);
        Assert.That(SymbolTable.Prefer(Sym("memcpy@@GLIBC_2.14"), Sym("memcpy@GLIBC_2.2.5")), Is.True);
        Assert.That(SymbolTable.Prefer(Sym("helper", global: false), Sym("helper_alias")), Is.False);
        Assert.That(SymbolTable.Prefer(Sym("__libc_malloc"), Sym("malloc")), Is.False);
        Assert.That(SymbolTable.Prefer(Sym("malloc"), Sym("__libc_malloc")), Is.True);
    }
}
