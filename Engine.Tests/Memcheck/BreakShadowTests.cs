using Memcheck.Engine.Guest;
using Memcheck.Engine.Tools.Memcheck;

namespace Memcheck.Engine.Tests.MemcheckTool;

/// <summary>
/// The program break as memcheck shadows it: exactly the bytes brk adds become undefined (defined without V bits),
/// the rest of the break's last page noaccess, and the bytes it gives back noaccess.
/// </summary>
[TestFixture]
public sealed class BreakShadowTests
{
    private const ulong Start = 0x4000_0000;

    private GuestAddressSpace _space = null!;
    private ShadowMemory _shadow = null!;
    private BreakShadow _break = null!;

    [SetUp]
    public void SetUp()
    {
        _space = new GuestAddressSpace();
        _space.SetBrkBase(Start);
        _shadow = new ShadowMemory();
        _break = new BreakShadow(_space, _shadow);
        // As memcheck shadows mappings: the break's pages arrive defined.
        _space.Mapped += (start, length, _) => _shadow.MakeDefined(start, length);
    }

    [TearDown]
    public void TearDown()
    {
        _shadow.Dispose();
        _space.Dispose();
    }

    private void MoveBreak(ulong to, bool definedness = true)
    {
        _break.Before();
        Assert.That(_space.Brk(to), Is.EqualTo((long)to));
        _break.After(definedness, () => 0);
    }

    [Test]
    public void GrowingMakesTheNewBytesUndefinedAndTheRestOfTheirPageNoaccess()
    {
        MoveBreak(Start + 100);
        Assert.That(_shadow.Get(Start), Is.EqualTo(VaBits.Undefined));
        Assert.That(_shadow.Get(Start + 99), Is.EqualTo(VaBits.Undefined));
        Assert.That(_shadow.Get(Start + 100), Is.EqualTo(VaBits.NoAccess));
        Assert.That(_shadow.Get(Start + 4095), Is.EqualTo(VaBits.NoAccess));

        MoveBreak(Start + 5000);
        Assert.That(_shadow.Get(Start + 100), Is.EqualTo(VaBits.Undefined), "the rest of the first page, now asked for");
        Assert.That(_shadow.Get(Start + 4999), Is.EqualTo(VaBits.Undefined));
        Assert.That(_shadow.Get(Start + 5000), Is.EqualTo(VaBits.NoAccess));
    }

    [Test]
    public void ShrinkingMakesTheBytesGivenBackNoaccess()
    {
        MoveBreak(Start + 100);
        MoveBreak(Start + 40);
        Assert.That(_shadow.Get(Start + 39), Is.EqualTo(VaBits.Undefined));
        Assert.That(_shadow.Get(Start + 40), Is.EqualTo(VaBits.NoAccess));
    }

    [Test]
    public void WithoutVBitsTheNewBytesAreDefined()
    {
        MoveBreak(Start + 100, definedness: false);
        Assert.That(_shadow.Get(Start + 99), Is.EqualTo(VaBits.Defined));
        Assert.That(_shadow.Get(Start + 100), Is.EqualTo(VaBits.NoAccess));
    }
}
