using Memcheck.Engine.Guest;

namespace Memcheck.Engine.Tests.Guest;

public unsafe class PageMapTests
{
    [Test]
    public void SetPagesReportTheirProtection()
    {
        using var map = new PageMap();
        map.Set(0x400000, 0x2000, PageProtection.ReadExecute);
        Assert.That(map.Get(0x400000), Is.EqualTo(PageProtection.ReadExecute));
        Assert.That(map.Get(0x401fff), Is.EqualTo(PageProtection.ReadExecute));
        Assert.That(map.Get(0x402000), Is.EqualTo(PageProtection.None));
        Assert.That(map.IsOwned(0x402000), Is.False);
    }

    [Test]
    public void ClearedPagesAreNoLongerOwned()
    {
        using var map = new PageMap();
        map.Set(0x400000, 0x3000, PageProtection.ReadWrite);
        map.Clear(0x401000, 0x1000);
        Assert.That(map.IsOwned(0x400000), Is.True);
        Assert.That(map.IsOwned(0x401000), Is.False);
        Assert.That(map.CanRead(0x401000, 1), Is.False);
        Assert.That(map.IsOwned(0x402000), Is.True);
    }

    [Test]
    public void ProtNonePagesAreOwnedButNotAccessible()
    {
        using var map = new PageMap();
        map.Set(0x10000, 0x1000, PageProtection.None);
        Assert.That(map.IsOwned(0x10000), Is.True);
        Assert.That(map.CanRead(0x10000, 1), Is.False);
        Assert.That(map.CanWrite(0x10000, 1), Is.False);
    }

    [Test]
    public void AccessCrossingIntoUnreadablePageIsRefused()
    {
        using var map = new PageMap();
        map.Set(0x400000, 0x1000, PageProtection.ReadWrite);
        map.Set(0x401000, 0x1000, PageProtection.Write);
        Assert.That(map.CanRead(0x400ff8, 8), Is.True);
        Assert.That(map.CanRead(0x400ffc, 8), Is.False);
        Assert.That(map.CanWrite(0x400ffc, 8), Is.True);
    }

    [Test]
    public void AccessCrossingLevel2TablesIsChecked()
    {
        using var map = new PageMap();
        map.Set(0x0FFFF000, 0x1000, PageProtection.Read);
        Assert.That(map.CanRead(0x0FFFFFFC, 8), Is.False);
        map.Set(0x10000000, 0x1000, PageProtection.Read);
        Assert.That(map.CanRead(0x0FFFFFFC, 8), Is.True);
    }

    [Test]
    public void AddressesAbove47BitsAreNeverOwned()
    {
        using var map = new PageMap();
        Assert.That(map.CanRead(1UL << 47, 1), Is.False);
        Assert.That(map.CanRead(ulong.MaxValue - 3, 8), Is.False);
        Assert.Throws<ArgumentOutOfRangeException>(() => map.Set(1UL << 47, 0x1000, PageProtection.Read));
    }

    [Test]
    public void LayoutIsTheOneGeneratedCodeReads()
    {
        using var map = new PageMap();
        const ulong address = 0x1234_5678_9000;
        map.Set(address, 0x1000, PageProtection.ReadWrite);
        byte* level2 = ((byte**)map.Level1)[address >> 28];
        Assert.That(level2 != null, Is.True);
        Assert.That(level2[(address >> 12) & 0xFFFF] & 7, Is.EqualTo(3));
        Assert.That(((byte**)map.Level1)[(address >> 28) + 1] == null, Is.True);
    }

    [Test]
    public void FindFreeSkipsOwnedPages()
    {
        using var map = new PageMap();
        map.Set(0x4000000, 0x3000, PageProtection.Read);
        map.Set(0x4004000, 0x1000, PageProtection.None);
        Assert.That(map.TryFindFree(0x1000, 0x4000000, 0x5000000, out ulong a), Is.True);
        Assert.That(a, Is.EqualTo(0x4003000UL));
        Assert.That(map.TryFindFree(0x2000, 0x4000000, 0x5000000, out ulong b), Is.True);
        Assert.That(b, Is.EqualTo(0x4005000UL));
        Assert.That(map.TryFindFree(0x2000, 0x4000000, 0x4004000, out _), Is.False);
    }

    [Test]
    public void RunsSplitARangeByOwnership()
    {
        using var map = new PageMap();
        map.Set(0x401000, 0x1000, PageProtection.Read);
        Assert.That(map.Runs(0x400000, 0x3000, owned: false), Is.EqualTo(new[] { (0x400000UL, 0x1000UL), (0x402000UL, 0x1000UL) }));
        Assert.That(map.Runs(0x400000, 0x3000, owned: true), Is.EqualTo(new[] { (0x401000UL, 0x1000UL) }));
    }

    [Test]
    public void RunsAndRangeChecksCoverTheWholeUserSpace()
    {
        using var map = new PageMap();
        map.Set(0x7000_0000_0000, 0x1000, PageProtection.Read);
        var runs = map.Runs(0x10000, PageMap.AddressLimit - 0x10000, owned: true);
        Assert.That(runs, Is.EqualTo(new[] { (0x7000_0000_0000UL, 0x1000UL) }));
        Assert.That(map.IsRangeFree(0x10000, 0x6000_0000_0000), Is.True);
        Assert.That(map.IsRangeFree(0x10000, PageMap.AddressLimit - 0x10000), Is.False);
        Assert.That(map.IsRangeOwned(0x7000_0000_0000, 0x2000), Is.False);
    }
}
