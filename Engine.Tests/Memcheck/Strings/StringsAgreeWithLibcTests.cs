using System.Text;

namespace Memcheck.Engine.Tests.MemcheckTool.Strings;

/// <summary>Each replacement gives the host C library's answer on the same defined inputs, and reports nothing.</summary>
public class StringsAgreeWithLibcTests
{
    private static readonly string[] Samples =
    [
        "", "a", "ab", "abc", "hello world", "Hello World", "aAbBcC", "xyzzy", "zzz", "abcabcabd",
        "a long string that crosses more than one aligned word of memory", "\u0080\u00ff\u00e9a", "aaaaaaaaaaaaaaaaaaaab",
    ];

    // Bytes searched for: present, absent, NUL, high-bit, and one whose int argument has stray upper bits.
    private static readonly int[] Needles = ['a', 'z', 'c', 0, 0xff, 0x100 + 'a'];

    private FakeStringHost _host = null!;

    [SetUp]
    public void Create() => _host = new FakeStringHost();

    [TearDown]
    public void Dispose() => _host.Dispose();

    [Test]
    public void LengthsAndByteSearchesMatchLibc()
    {
        foreach (string sample in Samples)
        {
            ulong s = _host.Block(sample + "\0");
            ulong n = (ulong)sample.Length + 1;
            Assert.That(_host.Call("strlen", s), Is.EqualTo((ulong)HostLibc.Strlen(s)), sample);
            Assert.That(_host.Call("strnlen", s, 3), Is.EqualTo((ulong)HostLibc.Strnlen(s, 3)), sample);
            foreach (int c in Needles)
            {
                string what = $"{sample} / {c:x}";
                Assert.That(_host.Call("strchr", s, (ulong)c), Is.EqualTo(HostLibc.Strchr(s, c)), what);
                Assert.That(_host.Call("index", s, (ulong)c), Is.EqualTo(HostLibc.Strchr(s, c)), what);
                Assert.That(_host.Call("strrchr", s, (ulong)c), Is.EqualTo(HostLibc.Strrchr(s, c)), what);
                Assert.That(_host.Call("strchrnul", s, (ulong)c), Is.EqualTo(HostLibc.Strchrnul(s, c)), what);
                Assert.That(_host.Call("memchr", s, (ulong)c, n), Is.EqualTo(HostLibc.Memchr(s, c, (nuint)n)), what);
                Assert.That(_host.Call("memrchr", s, (ulong)c, n), Is.EqualTo(HostLibc.Memrchr(s, c, (nuint)n)), what);
                if (HostLibc.Memchr(s, c, (nuint)n) != 0)
                    Assert.That(_host.Call("rawmemchr", s, (ulong)c), Is.EqualTo(HostLibc.Rawmemchr(s, c)), what);
            }
        }
        Assert.That(_host.Texts, Is.Empty);
    }

    [Test]
    public void SubstringAndSpanSearchesMatchLibc()
    {
        string[] needles = ["", "a", "abc", "abd", "World", "world", "zz", "o w", "xyz", "ba"];
        foreach (string sample in Samples)
        {
            ulong s = _host.Block(sample + "\0");
            foreach (string needle in needles)
            {
                ulong n = _host.Block(needle + "\0");
                string what = $"'{sample}' / '{needle}'";
                Assert.That(_host.Call("strstr", s, n), Is.EqualTo(HostLibc.Strstr(s, n)), what);
                Assert.That(_host.Call("strcasestr", s, n), Is.EqualTo(HostLibc.Strcasestr(s, n)), what);
                Assert.That(_host.Call("strpbrk", s, n), Is.EqualTo(HostLibc.Strpbrk(s, n)), what);
                Assert.That(_host.Call("strspn", s, n), Is.EqualTo((ulong)HostLibc.Strspn(s, n)), what);
                Assert.That(_host.Call("strcspn", s, n), Is.EqualTo((ulong)HostLibc.Strcspn(s, n)), what);
            }
        }
        Assert.That(_host.Texts, Is.Empty);
    }

    [Test]
    public void ComparisonsHaveLibcsSign()
    {
        var random = new Random(6);
        for (int i = 0; i < 400; i++)
        {
            string a = RandomString(random), b = random.Next(3) == 0 ? a : RandomString(random);
            ulong pa = _host.Block(a + "\0"), pb = _host.Block(b + "\0");
            ulong n = (ulong)random.Next(0, 8);
            ulong common = (ulong)Math.Min(a.Length, b.Length) + 1;
            string what = $"'{a}' '{b}' {n}";
            Assert.That(Sign(_host.Call("strcmp", pa, pb)), Is.EqualTo(Math.Sign(HostLibc.Strcmp(pa, pb))), what);
            Assert.That(Sign(_host.Call("strncmp", pa, pb, n)), Is.EqualTo(Math.Sign(HostLibc.Strncmp(pa, pb, (nuint)n))), what);
            Assert.That(Sign(_host.Call("strcasecmp", pa, pb)), Is.EqualTo(Math.Sign(HostLibc.Strcasecmp(pa, pb))), what);
            Assert.That(Sign(_host.Call("strncasecmp", pa, pb, n)), Is.EqualTo(Math.Sign(HostLibc.Strncasecmp(pa, pb, (nuint)n))), what);
            Assert.That(Sign(_host.Call("memcmp", pa, pb, common)), Is.EqualTo(Math.Sign(HostLibc.Memcmp(pa, pb, (nuint)common))), what);
            Assert.That(Sign(_host.Call("bcmp", pa, pb, common)) != 0, Is.EqualTo(HostLibc.Memcmp(pa, pb, (nuint)common) != 0), what);
        }
        Assert.That(_host.Texts, Is.Empty);
    }

    [Test]
    public void MemcmpOfLongAlignedBuffersFindsTheFirstDifferenceAfterEqualWords()
    {
        byte[] a = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        byte[] b = (byte[])a.Clone();
        b[77] = 200;
        ulong pa = _host.Block(a), pb = _host.Block(b);
        Assert.That(Sign(_host.Call("memcmp", pa, pb, 100)), Is.EqualTo(Math.Sign(HostLibc.Memcmp(pa, pb, 100))));
        Assert.That(_host.Call("memcmp", pa, pb, 77), Is.Zero);
        Assert.That((int)_host.Call("memcmp", pa, pb, 78), Is.EqualTo(77 - 200));
    }

    [Test]
    public void StringCopiesWriteWhatLibcWrites()
    {
        foreach (string sample in Samples)
            foreach (int n in new[] { 0, 1, 3, sample.Length, sample.Length + 1, sample.Length + 5 })
            {
                string what = $"'{sample}' {n}";
                byte[] dstStart = Encoding.Latin1.GetBytes("pre\0" + new string('#', 196));
                ulong src = _host.Block(sample + "\0");
                ulong mine = _host.Block(dstStart), theirs = _host.Block(dstStart);
                Assert.That(_host.Call("strcpy", mine, src) - mine, Is.EqualTo(HostLibc.Strcpy(theirs, src) - theirs), what);
                AssertSameBytes(mine, theirs, what);
                Assert.That(_host.Call("stpcpy", mine, src) - mine, Is.EqualTo(HostLibc.Stpcpy(theirs, src) - theirs), what);
                AssertSameBytes(mine, theirs, what);
                Assert.That(_host.Call("strncpy", mine, src, (ulong)n) - mine, Is.EqualTo(HostLibc.Strncpy(theirs, src, (nuint)n) - theirs), what);
                AssertSameBytes(mine, theirs, what);
                Assert.That(_host.Call("stpncpy", mine, src, (ulong)n) - mine, Is.EqualTo(HostLibc.Stpncpy(theirs, src, (nuint)n) - theirs), what);
                AssertSameBytes(mine, theirs, what);
                ulong cat = _host.Block(dstStart), catRef = _host.Block(dstStart);
                Assert.That(_host.Call("strcat", cat, src) - cat, Is.EqualTo(HostLibc.Strcat(catRef, src) - catRef), what);
                AssertSameBytes(cat, catRef, what);
                Assert.That(_host.Call("strncat", cat, src, (ulong)n) - cat, Is.EqualTo(HostLibc.Strncat(catRef, src, (nuint)n) - catRef), what);
                AssertSameBytes(cat, catRef, what);
            }
        Assert.That(_host.Texts, Is.Empty);
    }

    [TestCase(0, 0, 0)]
    [TestCase(0, 0, 37)]
    [TestCase(3, 3, 37)]
    [TestCase(1, 4, 37)]
    [TestCase(2, 6, 9)]
    [TestCase(8, 0, 40)]
    [TestCase(0, 8, 40)]
    [TestCase(5, 0, 40)]
    [TestCase(0, 5, 40)]
    public void MemoryCopiesAndFillsMatchLibcAtAnyAlignmentAndOverlap(int dstOffset, int srcOffset, int length)
    {
        byte[] pattern = Enumerable.Range(0, 64).Select(i => (byte)(i * 7 + 1)).ToArray();
        ulong mine = _host.Block(pattern), theirs = _host.Block(pattern);
        HostLibc.Memmove(theirs + (ulong)dstOffset, theirs + (ulong)srcOffset, (nuint)length);
        Assert.That(_host.Call("memmove", mine + (ulong)dstOffset, mine + (ulong)srcOffset, (ulong)length), Is.EqualTo(mine + (ulong)dstOffset));
        AssertSameBytes(mine, theirs, "memmove", 64);
        foreach (string copy in new[] { "memcpy", "bcopy", "mempcpy", "__memmove_chk" })
        {
            ulong block = _host.Block(pattern);
            ulong dst = block + (ulong)dstOffset, src = block + (ulong)srcOffset;
            ulong result = copy == "bcopy" ? _host.Call(copy, src, dst, (ulong)length) : _host.Call(copy, dst, src, (ulong)length, 64);
            AssertSameBytes(block, theirs, copy, 64);
            if (copy == "mempcpy")
                Assert.That(result, Is.EqualTo(dst + (ulong)length));
        }
        ulong filled = _host.Block(pattern), filledRef = _host.Block(pattern);
        HostLibc.Memset(filledRef + (ulong)dstOffset, 0x1A5, (nuint)length);
        Assert.That(_host.Call("memset", filled + (ulong)dstOffset, 0x1A5, (ulong)length), Is.EqualTo(filled + (ulong)dstOffset));
        AssertSameBytes(filled, filledRef, "memset", 64);
    }

    [Test]
    public void WideFunctionsMatchLibc()
    {
        string[] samples = ["", "a", "hello", "h\u00e9llo w\u00f6rld", "zzz"];
        foreach (string sample in samples)
        {
            ulong s = _host.Block(Wide(sample));
            Assert.That(_host.Call("wcslen", s), Is.EqualTo((ulong)HostLibc.Wcslen(s)), sample);
            Assert.That(_host.Call("wcsnlen", s, 2), Is.EqualTo((ulong)HostLibc.Wcsnlen(s, 2)), sample);
            foreach (int c in new[] { 'l', 0xe9, 0, 'q' })
            {
                Assert.That(_host.Call("wcschr", s, (ulong)c), Is.EqualTo(HostLibc.Wcschr(s, c)), sample);
                Assert.That(_host.Call("wcsrchr", s, (ulong)c), Is.EqualTo(HostLibc.Wcsrchr(s, c)), sample);
                Assert.That(_host.Call("wmemchr", s, (ulong)c, (ulong)sample.Length + 1), Is.EqualTo(HostLibc.Wmemchr(s, c, (nuint)sample.Length + 1)), sample);
            }
            foreach (string other in samples)
            {
                ulong o = _host.Block(Wide(other));
                Assert.That(Sign(_host.Call("wcscmp", s, o)), Is.EqualTo(Math.Sign(HostLibc.Wcscmp(s, o))), $"{sample} {other}");
                Assert.That(Sign(_host.Call("wcsncmp", s, o, 2)), Is.EqualTo(Math.Sign(HostLibc.Wcsncmp(s, o, 2))), $"{sample} {other}");
            }
            ulong mine = _host.Zeroed(64), theirs = _host.Zeroed(64);
            Assert.That(_host.Call("wcscpy", mine, s), Is.EqualTo(mine));
            HostLibc.Wcscpy(theirs, s);
            AssertSameBytes(mine, theirs, sample, 64);
        }
        Assert.That(_host.Texts, Is.Empty);
    }

    [Test]
    public void WideCharactersCompareSigned()
    {
        ulong negative = _host.Block(Wide(-5)), positive = _host.Block(Wide(5));
        Assert.That(Sign(_host.Call("wcscmp", negative, positive)), Is.EqualTo(Math.Sign(HostLibc.Wcscmp(negative, positive))));
        Assert.That(Sign(_host.Call("wcscmp", negative, positive)), Is.EqualTo(-1));
    }

    private static int Sign(ulong result) => Math.Sign((int)result);

    private static string RandomString(Random random)
    {
        const string alphabet = "aAbB\u00e9z";
        return new string(Enumerable.Range(0, random.Next(0, 6)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
    }

    private static byte[] Wide(string s) => [.. s.SelectMany(c => BitConverter.GetBytes((int)c)), 0, 0, 0, 0];

    private static byte[] Wide(int c) => [.. BitConverter.GetBytes(c), 0, 0, 0, 0];

    private void AssertSameBytes(ulong mine, ulong theirs, string what, int length = 200) =>
        Assert.That(_host.Bytes(mine, length), Is.EqualTo(_host.Bytes(theirs, length)), what);
}
