using Memcheck.Engine.DebugInfo;

namespace Memcheck.Engine.Tests.DebugInfo;

/// <summary>Unwind rows kept per instruction are the rows the CFA programs give there.</summary>
public class CallFrameTableTests
{
    [Test]
    public void RowsLookedUpAgainAreThoseOfATableThatNeverLookedUp()
    {
        var frames = new DebugObject(LineTableTests.LibcPath).Frames;
        var addresses = new DebugObject(LineTableTests.LibcPath).Lines is { } lines
            ? lines.Rows.Where(r => !r.EndSequence).Select(r => r.Address).Distinct().Take(3000).ToList()
            : [];
        Assume.That(addresses, Is.Not.Empty, "libc6-dbg is not installed");
        foreach (ulong pc in addresses) frames.RowAt(pc);

        var fresh = new DebugObject(LineTableTests.LibcPath).Frames;
        foreach (ulong pc in addresses)
            Assert.That(Describe(frames.RowAt(pc)), Is.EqualTo(Describe(fresh.RowAt(pc))), $"0x{pc:x}");
    }

    private static string Describe(UnwindRow? row) => row is null ? "none"
        : $"cfa r{row.CfaRegister}+{row.CfaOffset} expr {row.CfaExpression} ra r{row.ReturnRegister} {string.Join(",", row.Rules)}";
}
