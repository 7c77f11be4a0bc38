using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using static Memcheck.Engine.Ir.IrValue;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// The allocation itself, checked for the invariant code generation relies on: two temps alive at once never share
/// a register of their class or a byte of spill space, and nothing caller-saved holds a temp across a call.
/// </summary>
public sealed unsafe class RegisterAllocatorTests
{
    [Test]
    public void TempsAliveTogetherNeverShareARegisterOrSlotUnderHeavyPressure([Range(0, 199)] int seed)
    {
        var sb = PressureBlock(seed);
        var allocator = new RegisterAllocator();
        allocator.Allocate(sb, InlineForms.CallsOut);
        var homes = allocator.Homes;
        var (definedAt, lastUse) = (DefinitionSites(sb), allocator.LastUse.ToArray());
        var calls = sb.Statements.ToArray().Select((s, i) => (s, i)).Where(p => InlineForms.CallsOut(p.s)).Select(p => p.i).ToList();

        for (int a = 0; a < sb.TempCount; a++)
        {
            if (lastUse[a] < 0) continue;
            bool xmm = RegisterAllocator.IsXmmClass(sb.TypeOf(a));
            Assert.That(homes.Register[a] >= 0 || homes.Slot[a] >= 0, $"seed {seed}: t{a} is read but has no home");
            if (homes.Register[a] >= 0 && calls.Any(c => c > definedAt[a] && c < lastUse[a]))
                Assert.That(!xmm && homes.Register[a] is X64.Rbx or >= X64.R12, $"seed {seed}: t{a} lives across a call in a caller-saved register");
            for (int b = a + 1; b < sb.TempCount; b++)
            {
                if (lastUse[b] < 0) continue;
                bool overlap = definedAt[a] < definedAt[b] ? definedAt[b] < lastUse[a] : definedAt[a] < lastUse[b];
                if (!overlap) continue;
                if (xmm == RegisterAllocator.IsXmmClass(sb.TypeOf(b)) && homes.Register[a] >= 0)
                    Assert.That(homes.Register[b], Is.Not.EqualTo(homes.Register[a]), $"seed {seed}: t{a} and t{b} share a register");
                if (homes.Slot[a] >= 0 && homes.Slot[b] >= 0)
                {
                    int sizeA = xmm ? 16 : 8, sizeB = RegisterAllocator.IsXmmClass(sb.TypeOf(b)) ? 16 : 8;
                    bool bytesOverlap = homes.Slot[a] < homes.Slot[b] + sizeB && homes.Slot[b] < homes.Slot[a] + sizeA;
                    Assert.That(bytesOverlap, Is.False, $"seed {seed}: t{a} and t{b} share spill space");
                }
            }
        }
    }

    [Test]
    public void BlocksUnderHeavyPressureCompileAndMatchTheInterpreter([Range(0, 49)] int seed)
    {
        using var m = new JitTestMachine();
        var rng = new Random(seed);
        rng.NextBytes(new Span<byte>(m.State, GuestState.OffExitKind));
        Differential.Check(m, PressureBlock(seed), $"seed {seed}");
    }

    private static int[] DefinitionSites(Superblock sb)
    {
        var at = new int[sb.TempCount];
        var stmts = sb.Statements;
        for (int i = 0; i < stmts.Length; i++)
            if (stmts[i].Dst >= 0) at[stmts[i].Dst] = i;
        return at;
    }

    /// <summary>
    /// Many integer and vector temps with long, crossing lives and helper calls among them: more than the registers
    /// of either class, so temps spill, steal and reuse slots.
    /// </summary>
    private static Superblock PressureBlock(int seed)
    {
        var rng = new Random(seed);
        var sb = new Superblock(0x401000);
        sb.IMark(0x401000, 4);
        var ints = new List<IrValue>();
        var vectors = new List<IrValue>();
        for (int n = 0; n < 120; n++)
        {
            switch (rng.Next(6))
            {
                case 0:
                    ints.Add(sb.Get(8 * rng.Next(16), IrType.I64));
                    break;
                case 1:
                    vectors.Add(sb.Get(GuestState.XmmOffset(rng.Next(16)), IrType.V128));
                    break;
                case 2 when ints.Count > 1:
                    ints.Add(sb.Binop(IrOp.Add, Pick(rng, ints), Pick(rng, ints)));
                    break;
                case 3 when vectors.Count > 1:
                    vectors.Add(sb.Binop(IrOp.VAdd, IrType.V128, Pick(rng, vectors), Pick(rng, vectors), IrType.I32));
                    break;
                case 4 when ints.Count > 0:
                    ints.Add(sb.Call(TestHelpers.Mix, Pick(rng, ints), U64(1), U64(2), U64(3)));
                    break;
                case 5 when ints.Count > 0 && vectors.Count > 0:
                    sb.Put(GuestState.XmmOffset(rng.Next(16)), Pick(rng, vectors));
                    sb.Put(8 * rng.Next(16), Pick(rng, ints));
                    break;
            }
        }
        // Late reads keep early temps alive across everything in between.
        foreach (var v in ints.Where((_, i) => i % 3 == 0)) sb.Put(GuestState.OffRbx, v);
        foreach (var v in vectors.Where((_, i) => i % 2 == 0)) sb.Put(GuestState.XmmOffset(0), v);
        sb.Next = U64(0x401004);
        return sb;
    }

    private static IrValue Pick(Random rng, List<IrValue> from) => from[rng.Next(from.Count)];
}
