namespace Memcheck.Engine.Tests.MemcheckTool.Strings;

/// <summary>
/// Each replacement run over an unterminated 5-byte block reports its first invalid read with the size and at the
/// byte Valgrind 3.19's replacement does (observed with the same calls under valgrind).
/// </summary>
public class StringsInvalidReadSizeTests
{
    private FakeStringHost _host = null!;
    private ulong _u, _t, _d;

    [SetUp]
    public void Create()
    {
        _host = new FakeStringHost();
        _u = _host.Block("aaaaa");
        _t = _host.Block("aaaaaaaaaaaaaaa\0");
        _d = _host.Zeroed(64);
    }

    [TearDown]
    public void Dispose() => _host.Dispose();

    private static IEnumerable<TestCaseData> ByteCalls()
    {
        // (symbol, arguments by role: u = the unterminated block, t = a longer defined string, d = a destination, else a number)
        yield return new("strlen", new[] { "u" });
        yield return new("strnlen", new[] { "u", "10" });
        yield return new("strcpy", new[] { "d", "u" });
        yield return new("strncpy", new[] { "d", "u", "10" });
        yield return new("stpcpy", new[] { "d", "u" });
        yield return new("stpncpy", new[] { "d", "u", "10" });
        yield return new("strcat", new[] { "d", "u" });
        yield return new("strncat", new[] { "d", "u", "10" });
        yield return new("strcmp", new[] { "t", "u" });
        yield return new("strncmp", new[] { "t", "u", "10" });
        yield return new("strcasecmp", new[] { "t", "u" });
        yield return new("strncasecmp", new[] { "t", "u", "10" });
        yield return new("strchr", new[] { "u", "122" });
        yield return new("index", new[] { "u", "122" });
        yield return new("strrchr", new[] { "u", "122" });
        yield return new("rindex", new[] { "u", "122" });
        yield return new("strchrnul", new[] { "u", "122" });
        yield return new("rawmemchr", new[] { "u", "122" });
        yield return new("memchr", new[] { "u", "122", "10" });
        yield return new("strstr", new[] { "u", "zz" });
        yield return new("strcasestr", new[] { "u", "zz" });
        yield return new("strspn", new[] { "u", "a" });
        yield return new("strcspn", new[] { "u", "z" });
        yield return new("strpbrk", new[] { "u", "z" });
    }

    [TestCaseSource(nameof(ByteCalls))]
    public void ByteAtATimeFunctionsReadOneByteJustPastTheBlock(string symbol, string[] roles)
    {
        Call(symbol, roles);
        Assert.That(_host.Texts.First(), Is.EqualTo($"Invalid read of size 1 at 0x{_u + 5:x}"));
    }

    [Test]
    public void MemrchrReadsTheLastByteFirst()
    {
        Call("memrchr", ["u", "122", "10"]);
        Assert.That(_host.Texts.First(), Is.EqualTo($"Invalid read of size 1 at 0x{_u + 9:x}"));
    }

    /// <summary>The destination lies above the source, so these byte copies run backwards, as Valgrind's do.</summary>
    [Test]
    public void MempcpyAndBcopyCopyingUpwardsReadTheLastByteFirst()
    {
        // One block holds both, so the destination is above the source whatever order the allocator gives.
        ulong source = _host.Block("aaaaa" + new string('\0', 59));
        _host.Shadow.MakeNoAccess(source + 5, 27);
        ulong destination = source + 32;
        _host.Call("mempcpy", destination, source, 10);
        _host.Call("bcopy", source, destination, 10);
        Assert.That(_host.Texts.Distinct(), Is.EqualTo(new[] { $"Invalid read of size 1 at 0x{source + 9:x}", $"Invalid read of size 1 at 0x{source + 8:x}",
            $"Invalid read of size 1 at 0x{source + 7:x}", $"Invalid read of size 1 at 0x{source + 6:x}", $"Invalid read of size 1 at 0x{source + 5:x}" }));
    }

    private void Call(string symbol, string[] roles)
    {
        ulong[] args = [.. roles.Select(Argument)];
        _host.Call(symbol, args[0], args.Length > 1 ? args[1] : 0, args.Length > 2 ? args[2] : 0);
    }

    private ulong Argument(string role) => role switch
    {
        "u" => _u,
        "t" => _t,
        "d" => _d,
        _ when ulong.TryParse(role, out ulong n) => n,
        _ => _host.Block(role + "\0"),
    };
}
