namespace Memcheck.Engine.Tests.MemcheckTool.EndToEnd;

/// <summary>Heap misuse through the whole engine: each error's headline, top frames and address line as Valgrind prints them.</summary>
[Category("Slow")]
[TestFixture("jit")]
[TestFixture("interpreter")]
public class HeapErrorReportTests(string backend)
{
    [Test]
    public void WriteOneBytePastABlockIsAnInvalidWriteZeroBytesAfterIt()
    {
        var lines = MemcheckRunner.Commentary(MemcheckRunner.Run("memcheck/heap_overflow_write.c", backend));
        int at = lines.IndexOf("Invalid write of size 1");
        Assert.That(at, Is.GreaterThanOrEqualTo(0), string.Join('\n', lines));
        Assert.That(lines[at + 1], Does.Match(@"^   at 0x[0-9A-F]+: main \(heap_overflow_write\.c:10\)$"));
        Assert.That(lines[at + 2], Does.Match(@"^ Address 0x[0-9a-f]+ is 0 bytes after a block of size 16 alloc'd$"));
        Assert.That(lines[at + 3], Does.Match(@"^   at 0x[0-9A-F]+: malloc \(in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux\.so\)$"));
        Assert.That(lines, Has.Member("ERROR SUMMARY: 1 errors from 1 contexts (suppressed: 0 from 0)"));
    }

    [Test]
    public void ReadAfterFreeNamesTheFreeAndTheAllocStacks()
    {
        var lines = MemcheckRunner.Commentary(MemcheckRunner.Run("memcheck/use_after_free_read.c", backend));
        int at = lines.FindIndex(l => l.StartsWith("Invalid read of size"));
        Assert.That(at, Is.GreaterThanOrEqualTo(0), string.Join('\n', lines));
        int address = lines.FindIndex(at, l => l.StartsWith(" Address "));
        Assert.That(lines[address], Does.Contain("inside a block of size").And.EndsWith("free'd"));
        Assert.That(lines[address + 1], Does.Contain(": free (in "));
        Assert.That(lines, Has.Member(" Block was alloc'd at"));
    }

    [Test]
    public void DoubleFreeIsAnInvalidFreeOfAFreedBlock()
    {
        var lines = MemcheckRunner.Commentary(MemcheckRunner.Run("memcheck/double_free.c", backend));
        int at = lines.IndexOf("Invalid free() / delete / delete[] / realloc()");
        Assert.That(at, Is.GreaterThanOrEqualTo(0), string.Join('\n', lines));
        Assert.That(lines[at + 1], Does.Contain(": free (in "));
        Assert.That(lines[at + 2], Does.Contain(": drop (double_free.c:4)"));
        Assert.That(lines.Skip(at).First(l => l.StartsWith(" Address ")), Does.EndWith("is 0 bytes inside a block of size 24 free'd"));
        Assert.That(lines, Has.Member("  total heap usage: 1 allocs, 2 frees, 24 bytes allocated"));
    }

    [Test]
    public void NewArrayReleasedWithDeleteIsAMismatchedFree()
    {
        var lines = MemcheckRunner.Commentary(MemcheckRunner.Run("memcheck/new_array_delete.cpp", backend));
        int at = lines.IndexOf("Mismatched free() / delete / delete []");
        Assert.That(at, Is.GreaterThanOrEqualTo(0), string.Join('\n', lines));
        Assert.That(lines[at + 1], Does.Contain(": operator delete("));
        Assert.That(lines.Skip(at).First(l => l.StartsWith(" Address ")), Does.EndWith("alloc'd"));
        Assert.That(lines.Skip(at).First(l => l.StartsWith("   at ") && l.Contains("operator new")), Does.Contain("operator new[](unsigned long)"));
    }
}
