using Memcheck.Engine.Ir;

namespace Memcheck.Engine.Tests.Ir;

/// <summary>The block's pooled arrays: sized as a pass asks, grown past that, handed back empty.</summary>
public class SuperblockTests
{
    [Test]
    public void BlockSizedForAFewStatementsStillTakesManyMoreInOrder()
    {
        var sb = new Superblock(0x1000, statements: 2, temps: 1);
        for (int i = 0; i < 300; i++) sb.Put(8 * (i % 16), sb.Get(8 * i % 128, IrType.I64));

        Assert.That(sb.Count, Is.EqualTo(600));
        Assert.That(sb.TempCount, Is.EqualTo(300));
        Assert.That(sb[598].Kind, Is.EqualTo(StmtKind.Get));
        Assert.That(sb[599].A, Is.EqualTo(IrValue.OfTemp(299, IrType.I64)));
    }

    [Test]
    public void ReleasedBlockIsEmpty()
    {
        var sb = new Superblock(0x1000, statements: 1000, temps: 500);
        sb.Put(0, sb.Get(8, IrType.I64));

        sb.Release();

        Assert.That(sb.Count, Is.Zero);
        Assert.That(sb.TempCount, Is.Zero);
        Assert.That(sb.Statements.Length, Is.Zero);
    }
}
