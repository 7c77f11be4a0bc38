using System.Globalization;
using System.Runtime.InteropServices;
using Memcheck.Engine.Guest;
using static Memcheck.Engine.Os.Errno;
using static Memcheck.Engine.Guest.LinuxMm;

namespace Memcheck.Engine.Tests.Guest;

public unsafe class GuestAddressSpaceTests
{
    private GuestAddressSpace _space = null!;

    [SetUp]
    public void Create() => _space = new GuestAddressSpace();

    [TearDown]
    public void Dispose() => _space.Dispose();

    private long Anon(ulong length, int prot = ProtRead | ProtWrite, ulong addr = 0, int extraFlags = 0) =>
        _space.Mmap(addr, length, prot, MapPrivate | MapAnonymous | extraFlags, -1, 0);

    [Test]
    public void GuestRegionIsReservedWholeAndHoldsOnlyGuestMemory()
    {
        Assert.That(GuestRegion.IsReserved, Is.True, "the low region was not free when the engine first needed it");
        Assert.That(GuestRegion.End, Is.GreaterThan(GuestAddressSpace.StackTop));
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            var range = line[..line.IndexOf(' ')].Split('-');
            ulong start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            ulong end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.That(start >= GuestRegion.End || end <= GuestRegion.End, Is.True, $"a host mapping straddles the region's end: {line}");
        }
    }

    [Test]
    public void MunmappedGuestMemoryGoesBackToTheReservationNotToTheHost()
    {
        long a = Anon(3 * 4096);
        Assert.That(_space.Munmap((ulong)a + 4096, 4096), Is.Zero);
        var line = File.ReadLines("/proc/self/maps")
            .Single(l => ulong.Parse(l[..l.IndexOf('-')], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == (ulong)a + 4096);
        Assert.That(line, Does.Contain(" ---p "), "the page must stay mapped, inaccessible, so the host cannot take it");
    }

    [Test]
    public void AnonymousMmapIsPlacedInTheGuestRegionZeroedAndWritable()
    {
        long a = Anon(10000);
        Assert.That(a, Is.GreaterThanOrEqualTo((long)GuestAddressSpace.MmapBase));
        Assert.That(a % 4096, Is.Zero);
        Assert.That(_space.Pages.CanWrite((ulong)a, 12288), Is.True);
        Assert.That(_space.Pages.IsOwned((ulong)a + 12288), Is.False);
        Assert.That(new ReadOnlySpan<byte>((void*)a, 12288).IndexOfAnyExcept((byte)0), Is.EqualTo(-1));
        *(long*)a = 42;
        Assert.That(*(long*)a, Is.EqualTo(42));
    }

    [Test]
    public void SuccessiveMmapsDoNotOverlap()
    {
        long a = Anon(0x3000), b = Anon(0x1000);
        Assert.That(b >= a + 0x3000 || b + 0x1000 <= a, Is.True);
    }

    [Test]
    public void MmapArgumentErrorsMatchLinux()
    {
        Assert.That(Anon(0), Is.EqualTo(-EINVAL), "zero length");
        Assert.That(_space.Mmap(0, 4096, ProtRead, MapPrivate | MapAnonymous, -1, 100), Is.EqualTo(-EINVAL), "unaligned offset");
        Assert.That(_space.Mmap(0, 4096, ProtRead, MapAnonymous, -1, 0), Is.EqualTo(-EINVAL), "neither shared nor private");
        Assert.That(Anon(4096, addr: 0x5000123, extraFlags: MapFixed), Is.EqualTo(-EINVAL), "unaligned fixed address");
        Assert.That(Anon(4096, addr: 1UL << 47, extraFlags: MapFixed), Is.EqualTo(-ENOMEM), "beyond user space");
        Assert.That(Anon(4096, addr: 0x1000, extraFlags: MapFixed), Is.EqualTo(-EPERM), "below mmap_min_addr");
        Assert.That(_space.Mmap(0, 4096, ProtRead, MapPrivate, 987, 0), Is.EqualTo(-EBADF), "bad fd");
    }

    [Test]
    public void HintIsHonouredWhenFree()
    {
        Assert.That(Anon(0x2000, addr: 0x30000000), Is.EqualTo(0x30000000));
        long second = Anon(0x1000, addr: 0x30000000);
        Assert.That(second, Is.Not.EqualTo(0x30000000));
        Assert.That(second, Is.GreaterThan(0));
    }

    [Test]
    public void FixedMmapOverHostMemoryIsRefusedAndLeavesItIntact()
    {
        byte* host = (byte*)NativeMemory.AlignedAlloc(0x4000, 0x1000);
        try
        {
            host[0] = 0x5A;
            Assert.That(Anon(0x1000, addr: (ulong)host, extraFlags: MapFixed), Is.EqualTo(-ENOMEM));
            Assert.That(Anon(0x1000, addr: (ulong)host, extraFlags: MapFixedNoReplace), Is.EqualTo(-EEXIST));
            Assert.That(host[0], Is.EqualTo(0x5A));
            Assert.That(_space.Pages.IsOwned((ulong)host), Is.False);
        }
        finally
        {
            NativeMemory.AlignedFree(host);
        }
    }

    [Test]
    public void FixedMmapReplacesGuestMemory()
    {
        long a = Anon(0x3000);
        *(long*)(a + 0x1000) = 7;
        var unmapped = new List<(ulong, ulong)>();
        _space.Unmapped += (s, l) => unmapped.Add((s, l));
        Assert.That(Anon(0x1000, ProtRead, (ulong)a + 0x1000, MapFixed), Is.EqualTo(a + 0x1000));
        Assert.That(*(long*)(a + 0x1000), Is.Zero);
        Assert.That(_space.Pages.Get((ulong)a + 0x1000), Is.EqualTo(PageProtection.Read));
        Assert.That(unmapped, Is.EqualTo(new[] { ((ulong)a + 0x1000, 0x1000UL) }));
        Assert.That(_space.Mappings.Count(m => m.Start >= (ulong)a && m.End <= (ulong)a + 0x3000), Is.EqualTo(3));
    }

    [Test]
    public void FixedNoReplaceOverGuestMemoryIsEexist()
    {
        long a = Anon(0x2000);
        Assert.That(Anon(0x1000, addr: (ulong)a, extraFlags: MapFixedNoReplace), Is.EqualTo(-EEXIST));
    }

    [Test]
    public void Map32BitLandsBelowTwoGigabytes()
    {
        long a = Anon(0x1000, extraFlags: Map32Bit);
        Assert.That(a, Is.GreaterThan(0).And.LessThan(0x80000000L));
    }

    [Test]
    public void FileMmapShowsFileContentsAndPath()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, Enumerable.Range(0, 8192).Select(i => (byte)(i / 4096 + 1)).ToArray());
            using var file = File.OpenHandle(path);
            long a = _space.Mmap(0, 4096, ProtRead, MapPrivate, (int)file.DangerousGetHandle(), 4096);
            Assert.That(a, Is.GreaterThan(0));
            Assert.That(*(byte*)a, Is.EqualTo(2));
            var mapping = _space.FindMapping((ulong)a)!;
            Assert.That(mapping.Path, Is.EqualTo(path));
            Assert.That(mapping.Offset, Is.EqualTo(4096));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void MunmapErrorsMatchLinux()
    {
        long a = Anon(0x2000);
        Assert.That(_space.Munmap((ulong)a + 1, 0x1000), Is.EqualTo(-EINVAL));
        Assert.That(_space.Munmap((ulong)a, 0), Is.EqualTo(-EINVAL));
        Assert.That(_space.Munmap(0x7000_0000_0000, 0x2000_0000_0000), Is.EqualTo(-EINVAL));
    }

    [Test]
    public void MunmapOfMemoryTheGuestDoesNotOwnSucceedsAndLeavesHostAlone()
    {
        byte* host = (byte*)NativeMemory.AlignedAlloc(0x2000, 0x1000);
        try
        {
            host[0] = 9;
            Assert.That(_space.Munmap((ulong)host, 0x1000), Is.Zero);
            Assert.That(host[0], Is.EqualTo(9));
        }
        finally
        {
            NativeMemory.AlignedFree(host);
        }
    }

    [Test]
    public void MunmapInTheMiddleSplitsTheMapping()
    {
        long a = Anon(0x3000);
        var unmapped = new List<(ulong, ulong)>();
        _space.Unmapped += (s, l) => unmapped.Add((s, l));
        Assert.That(_space.Munmap((ulong)a + 0x1000, 0x1000), Is.Zero);
        Assert.That(_space.Pages.IsOwned((ulong)a + 0x1000), Is.False);
        Assert.That(_space.FindMapping((ulong)a)!.End, Is.EqualTo((ulong)a + 0x1000));
        Assert.That(_space.FindMapping((ulong)a + 0x2000)!.Start, Is.EqualTo((ulong)a + 0x2000));
        Assert.That(unmapped, Is.EqualTo(new[] { ((ulong)a + 0x1000, 0x1000UL) }));
    }

    [Test]
    public void MprotectChangesPagesAndReportsIt()
    {
        long a = Anon(0x3000);
        (ulong, ulong, PageProtection)? changed = null;
        _space.ProtectionChanged += (s, l, p) => changed = (s, l, p);
        Assert.That(_space.Mprotect((ulong)a + 0x1000, 0x1000, ProtRead), Is.Zero);
        Assert.That(_space.Pages.Get((ulong)a + 0x1000), Is.EqualTo(PageProtection.Read));
        Assert.That(_space.Pages.Get((ulong)a), Is.EqualTo(PageProtection.ReadWrite));
        Assert.That(changed, Is.EqualTo(((ulong)a + 0x1000, 0x1000UL, PageProtection.Read)));
        Assert.That(_space.FindMapping((ulong)a + 0x1000)!.Length, Is.EqualTo(0x1000UL));
        Assert.That(_space.Mprotect((ulong)a + 0x1000, 0x1000, ProtRead | ProtWrite), Is.Zero);
        Assert.That(_space.FindMapping((ulong)a)!.Length, Is.EqualTo(0x3000UL), "neighbours merge back");
    }

    [Test]
    public void MprotectErrorsMatchLinux()
    {
        long a = Anon(0x1000);
        Assert.That(_space.Mprotect((ulong)a + 8, 0x1000, ProtRead), Is.EqualTo(-EINVAL));
        Assert.That(_space.Mprotect((ulong)a, 0x1000, 0x100), Is.EqualTo(-EINVAL));
        Assert.That(_space.Mprotect((ulong)a, 0x2000, ProtRead), Is.EqualTo(-ENOMEM));
        Assert.That(_space.Mprotect((ulong)a, 0, ProtRead), Is.Zero);
    }

    [Test]
    public void MremapShrinksInPlace()
    {
        long a = Anon(0x3000);
        Assert.That(_space.Mremap((ulong)a, 0x3000, 0x1000, 0, 0), Is.EqualTo(a));
        Assert.That(_space.Pages.IsOwned((ulong)a + 0x1000), Is.False);
    }

    [Test]
    public void MremapGrowsInPlaceWhenTheNextPagesAreFree()
    {
        long a = Anon(0x1000, addr: 0x31000000);
        Assert.That(_space.Mremap((ulong)a, 0x1000, 0x3000, 0, 0), Is.EqualTo(a));
        Assert.That(_space.Pages.CanWrite((ulong)a, 0x3000), Is.True);
        Assert.That(_space.FindMapping((ulong)a)!.Length, Is.EqualTo(0x3000UL));
    }

    [Test]
    public void MremapMovesWhenBlockedAndKeepsContents()
    {
        long a = Anon(0x1000, addr: 0x32000000);
        Anon(0x1000, addr: 0x32001000, extraFlags: MapFixed);
        *(long*)a = 1234;
        Assert.That(_space.Mremap((ulong)a, 0x1000, 0x2000, 0, 0), Is.EqualTo(-ENOMEM));
        var remapped = new List<(ulong, ulong, ulong)>();
        _space.Remapped += (o, n, l) => remapped.Add((o, n, l));
        long b = _space.Mremap((ulong)a, 0x1000, 0x2000, MremapMayMove, 0);
        Assert.That(b, Is.GreaterThan(0).And.Not.EqualTo(a));
        Assert.That(*(long*)b, Is.EqualTo(1234));
        Assert.That(_space.Pages.IsOwned((ulong)a), Is.False);
        Assert.That(_space.Pages.CanWrite((ulong)b, 0x2000), Is.True);
        Assert.That(remapped, Is.EqualTo(new[] { ((ulong)a, (ulong)b, 0x1000UL) }));
    }

    [Test]
    public void MremapToFixedAddress()
    {
        long a = Anon(0x1000);
        *(long*)a = 77;
        Assert.That(_space.Mremap((ulong)a, 0x1000, 0x1000, MremapMayMove | MremapFixed, 0x33000000), Is.EqualTo(0x33000000));
        Assert.That(*(long*)0x33000000, Is.EqualTo(77));
    }

    [Test]
    public void MremapErrorsMatchLinux()
    {
        long a = Anon(0x1000);
        Assert.That(_space.Mremap((ulong)a + 4, 0x1000, 0x2000, MremapMayMove, 0), Is.EqualTo(-EINVAL), "unaligned");
        Assert.That(_space.Mremap((ulong)a, 0x1000, 0x2000, MremapFixed, 0x34000000), Is.EqualTo(-EINVAL), "fixed without maymove");
        Assert.That(_space.Mremap((ulong)a, 0x1000, 0x2000, 0x80, 0), Is.EqualTo(-EINVAL), "unknown flag");
        Assert.That(_space.Mremap((ulong)a, 0x1000, 0, MremapMayMove, 0), Is.EqualTo(-EINVAL), "zero new size");
        Assert.That(_space.Mremap((ulong)a + 0x10000, 0x1000, 0x2000, MremapMayMove, 0), Is.EqualTo(-EFAULT), "not mapped");
        Assert.That(_space.Mremap((ulong)a, 0x1000, 0x1000, MremapMayMove | MremapFixed, (ulong)a), Is.EqualTo(-EINVAL), "overlap");
    }

    [Test]
    public void BrkGrowsAndShrinksFromTheBase()
    {
        _space.SetBrkBase(0x35000123);
        Assert.That(_space.Brk(0), Is.EqualTo(0x35001000));
        Assert.That(_space.Brk(0x35003010), Is.EqualTo(0x35003010));
        Assert.That(_space.Pages.CanWrite(0x35001000, 0x3000), Is.True);
        Assert.That(_space.FindMapping(0x35001000)!.Path, Is.EqualTo("[heap]"));
        *(long*)0x35003008 = 5;
        Assert.That(_space.Brk(0x35002000), Is.EqualTo(0x35002000));
        Assert.That(_space.Pages.IsOwned(0x35002000), Is.False);
        Assert.That(_space.Brk(0x35000000), Is.EqualTo(0x35002000), "below the base");
    }

    [Test]
    public void BrkIntoAMappingFailsWithTheCurrentBreak()
    {
        _space.SetBrkBase(0x36000000);
        Anon(0x1000, addr: 0x36004000, extraFlags: MapFixed);
        Assert.That(_space.Brk(0x36002000), Is.EqualTo(0x36002000));
        Assert.That(_space.Brk(0x36008000), Is.EqualTo(0x36002000));
    }

    [Test]
    public void MappedEventsDescribeNewMemory()
    {
        var mapped = new List<(ulong, ulong, PageProtection)>();
        _space.Mapped += (s, l, p) => mapped.Add((s, l, p));
        long a = Anon(0x2000, ProtRead);
        Assert.That(mapped, Is.EqualTo(new[] { ((ulong)a, 0x2000UL, PageProtection.Read) }));
    }

    [Test]
    public void ProcMapsLinesMatchWhatTheKernelShowsForTheSameMemory()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, new byte[8192]);
            using var file = File.OpenHandle(path);
            long fileMap = _space.Mmap(0x37000000, 4096, ProtRead, MapPrivate, (int)file.DangerousGetHandle(), 4096);
            long anon = Anon(0x2000, addr: 0x37100000);
            string[] host = File.ReadAllLines("/proc/self/maps");
            string[] guest = _space.FormatProcMaps().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (long start in new[] { fileMap, anon })
            {
                string prefix = $"{start:x8}-";
                Assert.That(guest.Single(l => l.StartsWith(prefix)), Is.EqualTo(host.Single(l => l.StartsWith(prefix))));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }
}
