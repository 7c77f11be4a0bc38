using System.Diagnostics;
using System.Runtime.InteropServices;
using Memcheck.Engine.Guest;

namespace Memcheck.Engine.Tests.Guest;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public unsafe class ProgramLoaderTests
{
    private string _dir = "";
    private GuestAddressSpace _space = null!;

    [SetUp]
    public void Create()
    {
        _dir = Directory.CreateTempSubdirectory("memcheck-loader").FullName;
        _space = new GuestAddressSpace();
    }

    [TearDown]
    public void Dispose()
    {
        _space.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static readonly ulong[] AuxvOrder =
    [
        AuxvType.MinSigStkSz, AuxvType.HwCap, AuxvType.PageSz, AuxvType.ClkTck, AuxvType.Phdr, AuxvType.Phent,
        AuxvType.Phnum, AuxvType.Base, AuxvType.Flags, AuxvType.Entry, AuxvType.Uid, AuxvType.Euid, AuxvType.Gid,
        AuxvType.Egid, AuxvType.Secure, AuxvType.Random, AuxvType.HwCap2, AuxvType.ExecFn, AuxvType.Platform, AuxvType.Null,
    ];

    [Test]
    public void CraftedExecutableIsMappedAtItsAddressesWithZeroedBss()
    {
        string path = TestElf.WriteTemp(TestElf.Build(), _dir);
        var program = new ProgramLoader(_space).Load(path, [path], []);
        Assert.That(program.LoadBias, Is.Zero);
        Assert.That(program.Entry, Is.EqualTo(0x400078UL));
        Assert.That(program.InterpreterBase, Is.Zero);
        Assert.That(program.PhdrAddress, Is.EqualTo(0x400040UL));
        Assert.That(_space.Pages.Get(0x400000), Is.EqualTo(PageProtection.ReadExecute));
        Assert.That(_space.Pages.Get(0x401000), Is.EqualTo(PageProtection.ReadWrite));
        Assert.That(_space.Pages.Get(0x403fff), Is.EqualTo(PageProtection.ReadWrite));
        Assert.That(_space.Pages.IsOwned(0x404000), Is.False);
        Assert.That(*(byte*)0x401000, Is.EqualTo(TestElf.DataByte));
        Assert.That(*(byte*)0x4017ff, Is.EqualTo(TestElf.DataByte));
        Assert.That(new ReadOnlySpan<byte>((void*)0x401800, 0x2800).IndexOfAnyExcept((byte)0), Is.EqualTo(-1), "bss reads as zeros");
        Assert.That(*(uint*)0x400000, Is.EqualTo(0x464c457fU), "ELF header is mapped");
        Assert.That(program.BrkStart, Is.EqualTo(0x404000UL));
        Assert.That(_space.Brk(0), Is.EqualTo(0x404000L));
        Assert.That(_space.FindMapping(0x400000)!.Path, Is.EqualTo(path));
    }

    [Test]
    public void CraftedPieLoadsAtTheProgramBase()
    {
        string path = TestElf.WriteTemp(TestElf.Build(type: 3), _dir);
        var program = new ProgramLoader(_space).Load(path, [path], []);
        Assert.That(program.LoadBias, Is.EqualTo(GuestAddressSpace.ProgramBase));
        Assert.That(program.Entry, Is.EqualTo(GuestAddressSpace.ProgramBase + 0x78));
        Assert.That(_space.Pages.Get(GuestAddressSpace.ProgramBase), Is.EqualTo(PageProtection.ReadExecute));
        Assert.That(*(byte*)(GuestAddressSpace.ProgramBase + 0x1000), Is.EqualTo(TestElf.DataByte));
        Assert.That(Auxv(program, AuxvType.Phdr), Is.EqualTo(GuestAddressSpace.ProgramBase + 0x40));
    }

    /// <summary>An executable script at <paramref name="name"/> in the test folder with this first line.</summary>
    private string Script(string name, string line)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, line + "\necho never\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Test]
    public void AScriptRunsItsInterpreterWithTheLineArgumentThenTheScriptThenItsArguments()
    {
        string interpreter = TestElf.WriteTemp(TestElf.Build(), _dir);
        string script = Script("run.sh", $"#!  {interpreter}   -e -x  ");
        var program = new ProgramLoader(_space).Load(script, ["typed-name", "a", "b"], []);
        Assert.That(DecodeStack(program.InitialRsp).Argv, Is.EqualTo(new[] { interpreter, "-e -x", script, "a", "b" }));
        Assert.That(program.ExecutablePath, Is.EqualTo(interpreter));
    }

    [Test]
    public void AScriptNamingAScriptRunsTheLastOnesInterpreter()
    {
        string interpreter = TestElf.WriteTemp(TestElf.Build(), _dir);
        string inner = Script("inner", $"#!{interpreter}");
        string outer = Script("outer", $"#!{inner} flag");
        var program = new ProgramLoader(_space).Load(outer, [outer, "x"], []);
        Assert.That(DecodeStack(program.InitialRsp).Argv, Is.EqualTo(new[] { interpreter, inner, "flag", outer, "x" }));
    }

    [TestCase("#!nosuch", TestName = "a relative interpreter is a bad interpreter")]
    [TestCase("#!/nonexistent/sh", TestName = "a missing interpreter is a bad interpreter")]
    public void ABadInterpreterIsRefusedAsValgrindRefusesIt(string line)
    {
        string script = Script("bad.sh", line);
        var e = Assert.Throws<GuestLoadException>(() => new ProgramLoader(_space).Load(script, [script], []))!;
        Assert.That(e.Message, Is.EqualTo($"memcheck: {script}: bad interpreter: No such file or directory"));
    }

    [Test]
    public void ScriptsNamingThemselvesStopAfterTheKernelsDepth()
    {
        string path = Path.Combine(_dir, "loop");
        Script("loop", $"#!{path}");
        var e = Assert.Throws<GuestLoadException>(() => new ProgramLoader(_space).Load(path, [path], []))!;
        Assert.That(e.Message, Does.EndWith("Too many levels of symbolic links"));
    }

    [Test]
    public void InitialStackDecodesBackToArgumentsEnvironmentAndAuxv()
    {
        string path = TestElf.WriteTemp(TestElf.Build(), _dir);
        string[] argv = [path, "one", "", "three wörds"];
        string[] envp = ["A=1", "PATH=/bin"];
        var program = new ProgramLoader(_space).Load(path, argv, envp);
        var stack = DecodeStack(program.InitialRsp);

        Assert.That(program.InitialRsp % 16, Is.Zero);
        Assert.That(stack.Argv, Is.EqualTo(argv));
        Assert.That(stack.Envp, Is.EqualTo(envp));
        Assert.That(stack.Auxv.Select(e => e.Type), Is.EqualTo(AuxvOrder));
        Assert.That(stack.Auxv, Is.EqualTo(program.Auxv));
        Assert.That(Auxv(program, AuxvType.PageSz), Is.EqualTo(4096UL));
        Assert.That(Auxv(program, AuxvType.Entry), Is.EqualTo(0x400078UL));
        Assert.That(Auxv(program, AuxvType.Phnum), Is.EqualTo(3UL));
        Assert.That(Auxv(program, AuxvType.Phent), Is.EqualTo(56UL));
        Assert.That(CString(Auxv(program, AuxvType.ExecFn)), Is.EqualTo(path));
        Assert.That(CString(Auxv(program, AuxvType.Platform)), Is.EqualTo("x86_64"));
        ulong random = Auxv(program, AuxvType.Random);
        Assert.That(_space.Pages.CanRead(random, 16), Is.True);
        Assert.That(random, Is.GreaterThan(program.InitialRsp));
    }

    [Test]
    public void AuxvBytesAreTheWordsOnTheStack()
    {
        string path = TestElf.WriteTemp(TestElf.Build(), _dir);
        var program = new ProgramLoader(_space).Load(path, [path], ["X=1"]);
        byte[] bytes = program.AuxvBytes();
        ulong auxvOnStack = program.InitialRsp + 8 * (1 + 2 + 2);
        Assert.That(bytes.AsSpan().SequenceEqual(new ReadOnlySpan<byte>((void*)auxvOnStack, bytes.Length)), Is.True);
        Assert.That(bytes.Length, Is.EqualTo(16 * AuxvOrder.Length));
    }

    [Test]
    public void StringsSitAtTheTopOfTheStackInKernelOrder()
    {
        string path = TestElf.WriteTemp(TestElf.Build(), _dir);
        var program = new ProgramLoader(_space).Load(path, [path, "x"], ["E=2"]);
        ulong top = program.StackTop;
        Assert.That(*(ulong*)(top - 8), Is.Zero, "end marker");
        ulong execFn = Auxv(program, AuxvType.ExecFn);
        Assert.That(execFn + (ulong)path.Length + 1, Is.EqualTo(top - 8));
        var stack = DecodeStack(program.InitialRsp);
        Assert.That(stack.EnvpAddresses[0] + 4, Is.EqualTo(execFn), "environment strings just below the file name");
        Assert.That(stack.ArgvAddresses[1] + 2, Is.EqualTo(stack.EnvpAddresses[0]), "argument strings below the environment");
        Assert.That(_space.FindMapping(top - 1)!.Path, Is.EqualTo("[stack]"));
        Assert.That(program.StackLimit, Is.EqualTo(top - GuestAddressSpace.StackReserve));
        Assert.That(_space.Pages.CanWrite(program.StackLimit, (int)GuestAddressSpace.StackReserve), Is.True);
    }

    [Test]
    public void HugeArgumentListIsRefusedAsLinuxDoes()
    {
        string path = TestElf.WriteTemp(TestElf.Build(), _dir);
        var e = Assert.Throws<GuestLoadException>(() => new ProgramLoader(_space).Load(path, [path, new string('a', 3 << 20)], []))!;
        Assert.That(e.Message, Is.EqualTo($"memcheck: {path}: Argument list too long"));
    }

    [Test, Category("Slow")]
    public void StaticHelloWorldFromGccIsMappedAsItsHeadersSay()
    {
        string exe = CompileHello("-static", "-no-pie");
        var program = new ProgramLoader(_space).Load(exe, [exe], ["HOME=/root"]);
        Assert.That(program.Executable.Type, Is.EqualTo(ElfType.Exec));
        Assert.That(program.Interpreter, Is.Null);
        AssertSegmentsMapped(program.Executable, 0);
        Assert.That(program.Entry, Is.EqualTo(program.Executable.Entry));
        var stack = DecodeStack(program.InitialRsp);
        Assert.That(stack.Argv, Is.EqualTo(new[] { exe }));
        Assert.That(stack.Envp, Is.EqualTo(new[] { "HOME=/root" }));
        Assert.That(program.Executable.Tls, Is.Not.Null, "glibc's static programs carry PT_TLS");
        Assert.That(program.Executable.Elf.Sections.Any(s => s.Name == ".text"), Is.True, "a sound section table reaches ELFSharp intact");
    }

    [Test, Category("Slow")]
    public void StaticPieIsRelocatedToTheProgramBase()
    {
        string exe = CompileHello("-static-pie");
        var program = new ProgramLoader(_space).Load(exe, [exe], []);
        Assert.That(program.Executable.Type, Is.EqualTo(ElfType.Dyn));
        Assert.That(program.LoadBias, Is.EqualTo(GuestAddressSpace.ProgramBase));
        AssertSegmentsMapped(program.Executable, program.LoadBias);
    }

    [Test, Category("Slow")]
    public void DynamicPieGetsItsInterpreterMappedAtTheMmapBase()
    {
        string exe = CompileHello("-pie");
        var program = new ProgramLoader(_space).Load(exe, [exe], []);
        Assert.That(program.Interpreter, Is.Not.Null);
        Assert.That(program.InterpreterBase, Is.EqualTo(GuestAddressSpace.MmapBase));
        Assert.That(Auxv(program, AuxvType.Base), Is.EqualTo(GuestAddressSpace.MmapBase));
        Assert.That(program.Entry, Is.EqualTo(program.Interpreter!.Entry + GuestAddressSpace.MmapBase));
        Assert.That(Auxv(program, AuxvType.Entry), Is.EqualTo(program.Executable.Entry + GuestAddressSpace.ProgramBase));
        AssertSegmentsMapped(program.Interpreter, GuestAddressSpace.MmapBase);
        AssertSegmentsMapped(program.Executable, GuestAddressSpace.ProgramBase);
    }

    private void AssertSegmentsMapped(ElfImage image, ulong bias)
    {
        foreach (var segment in image.LoadSegments)
        {
            for (ulong page = PageMap.PageDown(segment.VirtualAddress); page < segment.End; page += PageMap.PageSize)
            {
                // A page shared with the next segment takes that segment's mapping, as with the kernel.
                if (image.LoadSegments.Any(s => s.VirtualAddress > segment.VirtualAddress && PageMap.PageDown(s.VirtualAddress) <= page))
                    continue;
                Assert.That(_space.Pages.Get(page + bias), Is.EqualTo(segment.Protection), $"page 0x{page + bias:x}");
            }
            byte[] file = File.ReadAllBytes(image.Path);
            var expected = file.AsSpan((int)segment.Offset, (int)segment.FileSize);
            var actual = new ReadOnlySpan<byte>((void*)(segment.VirtualAddress + bias), (int)segment.FileSize);
            Assert.That(actual.SequenceEqual(expected), Is.True, $"contents of segment at 0x{segment.VirtualAddress:x}");
            var bss = new ReadOnlySpan<byte>((void*)(segment.VirtualAddress + bias + segment.FileSize), (int)(segment.MemorySize - segment.FileSize));
            Assert.That(bss.IndexOfAnyExcept((byte)0), Is.EqualTo(-1), "bss is zero");
        }
    }

    private string CompileHello(params string[] flags)
    {
        string source = Path.Combine(_dir, "hello.c"), exe = Path.Combine(_dir, "hello");
        File.WriteAllText(source, "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n");
        var gcc = Process.Start(new ProcessStartInfo("gcc", [.. flags, "-O1", "-o", exe, source]) { RedirectStandardError = true })!;
        string errors = gcc.StandardError.ReadToEnd();
        gcc.WaitForExit();
        Assert.That(gcc.ExitCode, Is.Zero, errors);
        return exe;
    }

    private static ulong Auxv(LoadedProgram program, ulong type) => program.Auxv.Single(e => e.Type == type).Value;

    private sealed record DecodedStack(string[] Argv, ulong[] ArgvAddresses, string[] Envp, ulong[] EnvpAddresses, List<(ulong Type, ulong Value)> Auxv);

    private static DecodedStack DecodeStack(ulong rsp)
    {
        ulong* p = (ulong*)rsp;
        int argc = (int)*p++;
        var argvAddresses = new ulong[argc];
        for (int i = 0; i < argc; i++) argvAddresses[i] = *p++;
        Assert.That(*p++, Is.Zero, "argv terminator");
        var envpAddresses = new List<ulong>();
        while (*p != 0) envpAddresses.Add(*p++);
        p++;
        var auxv = new List<(ulong, ulong)>();
        while (true)
        {
            ulong type = *p++, value = *p++;
            auxv.Add((type, value));
            if (type == AuxvType.Null) break;
        }
        return new DecodedStack(argvAddresses.Select(CString).ToArray(), argvAddresses,
            envpAddresses.Select(CString).ToArray(), envpAddresses.ToArray(), auxv);
    }

    private static string CString(ulong address) => Marshal.PtrToStringUTF8((nint)address)!;
}
