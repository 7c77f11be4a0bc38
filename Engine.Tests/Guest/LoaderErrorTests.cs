using Memcheck.Engine.Guest;

namespace Memcheck.Engine.Tests.Guest;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class LoaderErrorTests
{
    private string _dir = "";

    [SetUp]
    public void CreateDirectory() => _dir = Directory.CreateTempSubdirectory("memcheck-guest").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_dir, recursive: true);

    private string LoadError(byte[] bytes)
    {
        string path = TestElf.WriteTemp(bytes, _dir);
        var e = Assert.Throws<GuestLoadException>(() => ElfImage.Load(path))!;
        Assert.That(e.Message, Does.StartWith($"memcheck: {path}: "));
        return e.Message[$"memcheck: {path}: ".Length..];
    }

    [Test]
    public void ValidCraftedFileLoads()
    {
        using var image = ElfImage.Load(TestElf.WriteTemp(TestElf.Build(), _dir));
        Assert.That(image.Type, Is.EqualTo(ElfType.Exec));
        Assert.That(image.Entry, Is.EqualTo(0x400078UL));
        Assert.That(image.LoadSegments.Count(), Is.EqualTo(2));
        Assert.That(image.GnuStack?.Protection, Is.EqualTo(PageProtection.ReadWrite));
        Assert.That(image.Interpreter, Is.Null);
        Assert.That(image.ProgramHeaderAddress, Is.EqualTo(0x400040UL));
    }

    [TestCase(0UL, (ushort)0, (ushort)0, (ushort)0)]
    [TestCase(0x7fff_0000UL, (ushort)5, (ushort)64, (ushort)1)]
    [TestCase(0x1000UL, (ushort)500, (ushort)64, (ushort)1)]
    [TestCase(0x1000UL, (ushort)2, (ushort)13, (ushort)1)]
    [TestCase(0x1000UL, (ushort)2, (ushort)64, (ushort)9)]
    public void CorruptSectionHeadersDoNotStopLoadingAndHideSections(ulong shoff, ushort shnum, ushort shentsize, ushort shstrndx)
    {
        var bytes = TestElf.Build();
        BitConverter.TryWriteBytes(bytes.AsSpan(40), shoff);
        BitConverter.TryWriteBytes(bytes.AsSpan(58), shentsize);
        BitConverter.TryWriteBytes(bytes.AsSpan(60), shnum);
        BitConverter.TryWriteBytes(bytes.AsSpan(62), shstrndx);
        using var image = ElfImage.Load(TestElf.WriteTemp(bytes, _dir));
        Assert.That(image.LoadSegments.Count(), Is.EqualTo(2));
        Assert.That(image.Elf.Sections.Select(section => section.Type),
            Is.EqualTo(new[] { ELFSharp.ELF.Sections.SectionType.Null, ELFSharp.ELF.Sections.SectionType.StringTable }));
    }

    [Test]
    public void TextFileIsNotAnElfFile() => Assert.That(LoadError("hello world\n"u8.ToArray()), Is.EqualTo("not an ELF file"));

    [Test]
    public void EmptyFileIsNotAnElfFile() => Assert.That(LoadError([]), Is.EqualTo("not an ELF file"));

    [Test]
    public void HeaderCutShortIsTruncated() => Assert.That(LoadError(TestElf.Build(length: 40)), Is.EqualTo("truncated ELF file"));

    [Test]
    public void ThirtyTwoBitElfIsRejected() =>
        Assert.That(LoadError(TestElf.Build(elfClass: 1)), Is.EqualTo("32-bit ELF programs are not supported"));

    [Test]
    public void OtherMachineIsRejected() =>
        Assert.That(LoadError(TestElf.Build(machine: 183)), Is.EqualTo("not an x86-64 program"));

    [Test]
    public void ProgramHeadersPastEndOfFileAreCorrupt()
    {
        var bytes = TestElf.Build();
        BitConverter.TryWriteBytes(bytes.AsSpan(32), (ulong)TestElf.FileLength - 60);
        Assert.That(LoadError(bytes), Is.EqualTo("corrupt program headers"));
    }

    [Test]
    public void SegmentDataPastEndOfFileIsTruncated() =>
        Assert.That(LoadError(TestElf.Build(length: 0x1400)), Is.EqualTo("truncated ELF file"));

    [Test]
    public void OverlappingLoadSegmentsAreCorrupt()
    {
        var segments = TestElf.DefaultSegments(0x400000);
        segments[1] = segments[1] with { Vaddr = 0x400000 };
        Assert.That(LoadError(TestElf.Build(segments: segments)), Is.EqualTo("corrupt program headers"));
    }

    [Test]
    public void DescendingLoadSegmentsAreCorrupt()
    {
        var segments = TestElf.DefaultSegments(0x400000);
        segments[1] = segments[1] with { Vaddr = 0x301000 };
        Assert.That(LoadError(TestElf.Build(segments: segments)), Is.EqualTo("corrupt program headers"));
    }

    [Test]
    public void MisalignedSegmentIsCorrupt()
    {
        var segments = TestElf.DefaultSegments(0x400000);
        segments[1] = segments[1] with { Vaddr = 0x401100 };
        Assert.That(LoadError(TestElf.Build(segments: segments)), Is.EqualTo("corrupt program headers"));
    }

    [Test]
    public void FileSizeAboveMemorySizeIsCorrupt()
    {
        var segments = TestElf.DefaultSegments(0x400000);
        segments[1] = segments[1] with { MemSize = 0x100 };
        Assert.That(LoadError(TestElf.Build(segments: segments)), Is.EqualTo("corrupt program headers"));
    }

    [Test]
    public void RelocatableObjectIsNotAnExecutable() =>
        Assert.That(LoadError(TestElf.Build(type: 1)), Is.EqualTo("not an executable program"));

    [Test]
    public void MissingFileSaysNoSuchFile()
    {
        string path = Path.Combine(_dir, "missing");
        var e = Assert.Throws<GuestLoadException>(() => Load(path))!;
        Assert.That(e.Message, Is.EqualTo($"memcheck: {path}: No such file or directory"));
    }

    [Test]
    public void DirectorySaysIsADirectory()
    {
        var e = Assert.Throws<GuestLoadException>(() => Load(_dir))!;
        Assert.That(e.Message, Is.EqualTo($"memcheck: {_dir}: is a directory"));
    }

    [Test]
    public void FileWithoutExecutePermissionIsDenied()
    {
        string path = TestElf.WriteTemp(TestElf.Build(), _dir);
        File.SetUnixFileMode(path, UnixFileMode.UserRead);
        var e = Assert.Throws<GuestLoadException>(() => Load(path))!;
        Assert.That(e.Message, Is.EqualTo($"memcheck: {path}: Permission denied"));
    }

    [Test]
    public void MissingInterpreterIsNamed()
    {
        var segments = TestElf.DefaultSegments(0x400000);
        segments.Insert(0, new TestElf.Segment(3, 4, 0x200, 0x400200, 16, 16, 1));
        var bytes = TestElf.Build(segments: segments);
        "/nonexistent/ld\0"u8.CopyTo(bytes.AsSpan(0x200));
        string path = TestElf.WriteTemp(bytes, _dir);
        var e = Assert.Throws<GuestLoadException>(() => Load(path))!;
        Assert.That(e.Message, Is.EqualTo($"memcheck: {path}: cannot load interpreter /nonexistent/ld: No such file or directory"));
    }

    private static void Load(string path)
    {
        using var space = new GuestAddressSpace();
        new ProgramLoader(space).Load(path, [path], []);
    }
}
