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

    [Test, Category("Slow")]
    public void DebugLinkIsFollowedOnlyToAFileWithTheRecordedCrc()
    {
        string dir = Directory.CreateTempSubdirectory("memcheck-debuglink").FullName;
        try
        {
            string program = Path.Combine(dir, "prog"), debug = Path.Combine(dir, "prog.debug");
            File.Copy(FixtureCompiler.Compile(DebugInfoFiles.Fixture("nested_fault.c"), "-g", "-O0", "-Wl,--build-id=none"), program);
            Tool("objcopy", "--only-keep-debug", program, debug);
            Tool("objcopy", "--strip-debug", "--add-gnu-debuglink=" + debug, program);
            Assert.That(new DebugObject(program).DebugFilePath, Is.EqualTo(debug));

            File.AppendAllText(debug, "stale");
            Assert.That(new DebugObject(program).DebugFilePath, Is.Null);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Test]
    public void Crc32IsTheIeeeCrcGnuDebuglinkRecords() =>
        Assert.That(Crc32.Of("123456789"u8), Is.EqualTo(0xCBF43926u));

    private static void Tool(string name, params string[] args) =>
        Assert.That(NativeRunner.Run(name, args).ExitCode, Is.Zero, $"{name} {string.Join(' ', args)}");

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
