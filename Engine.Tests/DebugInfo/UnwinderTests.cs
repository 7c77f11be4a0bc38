using Memcheck.Engine.DebugInfo;
using Memcheck.Engine.Guest;

namespace Memcheck.Engine.Tests.DebugInfo;

/// <summary>Unwinding where no CFI covers the code: the frame-pointer chain, then the top of the stack.</summary>
public class UnwinderTests
{
    private const int Rsp = 7, Rbp = 6, Pc = 16;

    [Test]
    public void FollowsTheFramePointerChainAndPrintsCallersAtReturnAddressMinusOne()
    {
        // Two frames linked through rbp: [fp] = caller's fp, [fp+8] = return address.
        var memory = new Dictionary<ulong, ulong>
        {
            [0x7000] = 0x7100, [0x7008] = 0x401234,
            [0x7100] = 0, [0x7108] = 0x405678,
        };
        var walk = Walk(memory, pc: 0x400100, sp: 0x6ff0, fp: 0x7000, maxFrames: 12);
        Assert.That(walk, Is.EqualTo(new ulong[] { 0x400100, 0x401233, 0x405677 }));
    }

    [Test]
    public void WithoutAFramePointerOnlyTheInnermostFrameUsesTheTopOfTheStack()
    {
        var memory = new Dictionary<ulong, ulong> { [0x6ff0] = 0x401234 };
        var walk = Walk(memory, pc: 0x400100, sp: 0x6ff0, fp: 0, maxFrames: 12);
        Assert.That(walk, Is.EqualTo(new ulong[] { 0x400100, 0x401233 }));
    }

    [Test]
    public void StopsAtMaxFrames()
    {
        var memory = new Dictionary<ulong, ulong> { [0x7000] = 0x7100, [0x7008] = 0x401234, [0x7100] = 0x7200, [0x7108] = 0x405678 };
        Assert.That(Walk(memory, pc: 0x400100, sp: 0x6ff0, fp: 0x7000, maxFrames: 2), Has.Count.EqualTo(2));
    }

    private static List<ulong> Walk(Dictionary<ulong, ulong> memory, ulong pc, ulong sp, ulong fp, int maxFrames)
    {
        using var space = new GuestAddressSpace();
        var regs = new ulong?[UnwindRow.RegisterCount];
        regs[Rsp] = sp;
        regs[Rbp] = fp;
        regs[Pc] = pc;
        var unwinder = new Unwinder(new DebugInfoIndex(space), a => memory.TryGetValue(a, out var v) ? v : null);
        return [.. unwinder.Walk(regs, maxFrames)];
    }
}
