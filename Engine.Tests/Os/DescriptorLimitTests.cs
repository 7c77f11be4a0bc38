using Memcheck.Engine.Os;

namespace Memcheck.Engine.Tests.Os;

/// <summary>
/// The descriptors the guest may use, as Valgrind limits them: names past the hard limit (and negative ones) are
/// refused with its warning, a descriptor made must lie below the soft limit, getrlimit shows the guest's limits, and
/// only the soft one may move.
/// </summary>
[TestFixture]
public sealed class DescriptorLimitTests
{
    private const int Soft = 100, Hard = 200;

    private GuestFixture _guest = null!;
    private readonly List<string> _warnings = [];

    [SetUp]
    public void SetUp()
    {
        _guest = new GuestFixture(process: new ProcessInfo { ExecutablePath = "/bin/guest", Descriptors = new DescriptorLimits(Soft, Hard) });
        _warnings.Clear();
        _guest.Handler.InvalidDescriptor += (_, warning) => _warnings.Add(warning);
    }

    [TearDown]
    public void TearDown() => _guest.Dispose();

    [Test]
    public void ClosingANegativeDescriptorIsRefusedWithValgrindsWarning()
    {
        Assert.That(_guest.Call("close", unchecked((ulong)-1)), Is.EqualTo(-Errno.EBADF));
        Assert.That(_warnings, Is.EqualTo(new[] { "Warning: invalid file descriptor -1 in syscall close()" }));
    }

    [Test]
    public void ClosingPastTheHardLimitIsRefusedAndBelowItIsTheKernels()
    {
        Assert.That(_guest.Call("close", Hard), Is.EqualTo(-Errno.EBADF));
        Assert.That(_guest.Call("close", Hard - 1), Is.EqualTo(-Errno.EBADF), "not open: the kernel's answer");
        Assert.That(_warnings, Is.EqualTo(new[] { $"Warning: invalid file descriptor {Hard} in syscall close()" }));
    }

    [Test]
    public void Dup2OntoTheSoftLimitIsRefusedAndBelowItMakesTheDescriptor()
    {
        Assert.That(_guest.Call("dup2", 1, Soft), Is.EqualTo(-Errno.EBADF));
        Assert.That(_guest.Call("dup3", 1, Soft + 1, 0), Is.EqualTo(-Errno.EBADF));
        Assert.That(_warnings, Is.EqualTo(new[]
        {
            $"Warning: invalid file descriptor {Soft} in syscall dup2()",
            $"Warning: invalid file descriptor {Soft + 1} in syscall dup3()",
        }));
        Assert.That(_guest.Call("dup2", 1, Soft - 1), Is.EqualTo(Soft - 1));
        Assert.That(_guest.Call("close", Soft - 1), Is.Zero);
    }

    [Test]
    public void FcntlDupfdAtTheSoftLimitIsClosedAgainAndFailsWithEmfile()
    {
        const int dupFd = 0;
        Assert.That(_guest.Call("fcntl", 1, dupFd, Soft), Is.EqualTo(-Errno.EMFILE));
        Assert.That(_warnings, Has.Count.EqualTo(1));
        var made = System.Text.RegularExpressions.Regex.Match(_warnings[0], @"^Warning: invalid file descriptor (\d+) in syscall fcntl\(DUPFD\)\(\)$");
        Assert.That(made.Success, _warnings[0]);
        ulong copy = ulong.Parse(made.Groups[1].Value);
        Assert.That(copy, Is.GreaterThanOrEqualTo((ulong)Soft));
        Assert.That(_guest.Call("fcntl", copy, 1), Is.EqualTo(-Errno.EBADF), "F_GETFD: the copy was closed");
    }

    [Test]
    public void GetrlimitShowsTheGuestsLimitsAndOnlyTheSoftOneMoves()
    {
        Assert.That(_guest.Call("getrlimit", DescriptorLimits.RlimitNofile, _guest.At(0)), Is.Zero);
        Assert.That(_guest.Read<ResourceLimit>(0), Is.EqualTo(new ResourceLimit(Soft, Hard)));

        _guest.Read<ResourceLimit>(0) = new ResourceLimit(Soft, Hard + 1);
        Assert.That(_guest.Call("setrlimit", DescriptorLimits.RlimitNofile, _guest.At(0)), Is.EqualTo(-Errno.EPERM), "raising the hard limit");
        _guest.Read<ResourceLimit>(0) = new ResourceLimit(Hard, Soft);
        Assert.That(_guest.Call("setrlimit", DescriptorLimits.RlimitNofile, _guest.At(0)), Is.EqualTo(-Errno.EINVAL), "soft above hard");
        _guest.Read<ResourceLimit>(0) = new ResourceLimit(50, Hard);
        Assert.That(_guest.Call("setrlimit", DescriptorLimits.RlimitNofile, _guest.At(0)), Is.Zero);

        Assert.That(_guest.Call("prlimit64", 0, DescriptorLimits.RlimitNofile, 0, _guest.At(16)), Is.Zero);
        Assert.That(_guest.Read<ResourceLimit>(16), Is.EqualTo(new ResourceLimit(50, Hard)));
        Assert.That(_guest.Call("dup2", 1, 50), Is.EqualTo(-Errno.EBADF), "the lowered soft limit");
    }
}
