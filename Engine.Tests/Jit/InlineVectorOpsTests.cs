using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using Memcheck.Engine.Jit;
using static Memcheck.Engine.Ir.IrValue;

namespace Memcheck.Engine.Tests.Jit;

/// <summary>
/// Every vector and float operation the backend runs inline agrees exactly with the evaluator on
/// lanes full of edge values: NaNs of both kinds and signs, infinities, zeros, denormals, lane
/// boundaries, and shift counts at and past the lane width.
/// </summary>
public sealed unsafe class InlineVectorOpsTests
{
    private static readonly IrType[] Lanes = [IrType.I8, IrType.I16, IrType.I32, IrType.I64, IrType.F32, IrType.F64];

    private static readonly ulong[] F64Edges =
    [
        0x7FF8000000000000, 0x7FF0000000000001, 0xFFF8000000000000, 0x7FF0000000000000, 0xFFF0000000000000,
        0, 0x8000000000000000, 0x0000000000000001, 0x3FF0000000000000, 0xC000000000000000, 0x7FEFFFFFFFFFFFFF,
    ];

    private static readonly uint[] F32Edges =
        [0x7FC00000, 0x7F800001, 0xFFC00000, 0x7F800000, 0xFF800000, 0, 0x80000000, 1, 0x3F800000, 0xC0000000, 0x7F7FFFFF];

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var op in Enum.GetValues<IrOp>())
        {
            foreach (var lane in Lanes)
            {
                bool shift = op is IrOp.VShl or IrOp.VShr or IrOp.VSar;
                if (Supported(op, IrType.V128, IrType.V128, shift ? IrType.I8 : IrType.V128, lane))
                    yield return new TestCaseData(op, IrType.V128, lane, false).SetName($"{op}_V128_{lane}");
            }
            foreach (var type in new[] { IrType.F32, IrType.F64 })
            {
                if (Supported(op, type, type, type, IrType.None))
                    yield return new TestCaseData(op, type, IrType.None, false).SetName($"{op}_{type}");
                if (InlineForms.Covers(new IrStmt { Kind = StmtKind.Unop, Op = op, Type = type, A = OfTemp(0, type) }))
                    yield return new TestCaseData(op, type, IrType.None, true).SetName($"{op}_{type}_unary");
            }
        }
    }

    private static bool Supported(IrOp op, IrType type, IrType a, IrType b, IrType lane) =>
        InlineForms.Covers(new IrStmt { Kind = StmtKind.Binop, Op = op, Type = type, A = OfTemp(0, a), B = OfTemp(1, b), Lane = lane });

    [TestCaseSource(nameof(Cases))]
    public void MatchesTheEvaluator(IrOp op, IrType type, IrType lane, bool unary)
    {
        using var m = new JitTestMachine();
        var random = new Random((int)op * 31 + (int)type * 7 + (int)lane);
        for (int round = 0; round < 40; round++)
        {
            for (int k = 0; k < 3; k++)
                for (int half = 0; half < 2; half++)
                    *(ulong*)((byte*)m.State + GuestState.XmmOffset(k) + 8 * half) = Pattern(random);
            m.State->Gpr[0] = random.Next(4) == 0 ? 0xFFUL : (ulong)random.Next(0, 80);

            var sb = new Superblock(0x401000);
            sb.IMark(0x401000, 4);
            IrValue result;
            if (unary) result = sb.Unop(op, type, sb.Get(GuestState.XmmOffset(0), type));
            else if (type == IrType.V128)
            {
                var b = op is IrOp.VShl or IrOp.VShr or IrOp.VSar
                    ? sb.Unop(IrOp.Truncate, IrType.I8, sb.Get(GuestState.OffRax, IrType.I64))
                    : sb.Get(GuestState.XmmOffset(1), IrType.V128);
                result = sb.Binop(op, IrType.V128, sb.Get(GuestState.XmmOffset(0), IrType.V128), b, lane);
            }
            else result = sb.Binop(op, type, sb.Get(GuestState.XmmOffset(0), type), sb.Get(GuestState.XmmOffset(1), type));
            sb.Put(GuestState.XmmOffset(2), result);
            sb.Next = U64(0x401004);

            Differential.Check(m, sb, $"round {round}");
        }
    }

    /// <summary>Where a fused multiply-add's operands and result live when it runs; see <see cref="FusedBlock"/>.</summary>
    public enum Homes { OwnRegisters, ResultInAsRegister, ResultInBsRegister, ResultInCsRegister, OneTempThrice, BConstant, BSpilled, ResultSpilled }

    [Test]
    public void FusedMultiplyAddsRunInlineOnAnFmaHostAndMatchTheEvaluatorWhereverTheirOperandsLive(
        [Values(IrOp.VFMulAdd, IrOp.VFMulSub, IrOp.VFNegMulAdd, IrOp.VFNegMulSub)] IrOp op,
        [Values(IrType.F32, IrType.F64)] IrType lane, [Values] Homes homes)
    {
        var fma = new IrStmt { Kind = StmtKind.Triop, Op = op, Type = IrType.V128, Lane = lane,
            A = OfTemp(0, IrType.V128), B = OfTemp(1, IrType.V128), C = OfTemp(2, IrType.V128) };
        Assert.That(InlineForms.Covers(fma), Is.EqualTo(System.Runtime.Intrinsics.X86.Fma.IsSupported));
        using var m = new JitTestMachine();
        var random = new Random((int)op * 3 + (int)lane * 17 + (int)homes);
        for (int round = 0; round < 40; round++)
        {
            for (int q = 0; q < 32; q++)
            {
                m.State->Xmm[q] = Pattern(random);
                m.State->YmmHi[q] = Pattern(random);
            }
            var sb = FusedBlock(op, lane, homes, Pattern(random), Pattern(random));
            if (round == 0 && InlineForms.Covers(fma)) AssertHomes(sb, homes);
            Differential.Check(m, sb, $"{homes} round {round}");
        }
    }

    /// <summary>The block's fused multiply-add has the homes its shape is named for.</summary>
    private static void AssertHomes(Superblock sb, Homes homes)
    {
        var allocator = new RegisterAllocator();
        allocator.Allocate(sb, InlineForms.CallsOut);
        var home = allocator.Homes.Register;
        var s = sb.Statements.ToArray().Single(x => x.Kind == StmtKind.Triop);
        int Reg(IrValue v) => v.IsTemp ? home[v.Temp] : -1;
        var (d, a, b, c) = (home[s.Dst], Reg(s.A), Reg(s.B), Reg(s.C));
        string where = $"result {d}, a {a}, b {b}, c {c}\n{sb}";
        switch (homes)
        {
            case Homes.OwnRegisters: Assert.That(d >= 0 && d != a && d != b && d != c, Is.True, where); break;
            case Homes.ResultInAsRegister: Assert.That(d >= 0 && d == a, Is.True, where); break;
            case Homes.ResultInBsRegister: Assert.That(d >= 0 && d == b && d != a, Is.True, where); break;
            case Homes.ResultInCsRegister: Assert.That(d >= 0 && d == c && d != a, Is.True, where); break;
            case Homes.OneTempThrice: Assert.That(s.A == s.B && s.B == s.C, Is.True, where); break;
            case Homes.BConstant: Assert.That(s.B.IsConst, Is.True, where); break;
            case Homes.BSpilled: Assert.That(b < 0 && d >= 0 && a >= 0 && c >= 0, Is.True, where); break;
            case Homes.ResultSpilled: Assert.That(d < 0 && a >= 0 && b >= 0 && c >= 0, Is.True, where); break;
        }
    }

    /// <summary>
    /// a, b and c from xmm0-2, the result to xmm3. The register allocator gives a result the lowest free register, so
    /// an operand read for the last time gives it its own; values of the YMM upper halves kept live across the
    /// operation use up the xmm registers, and then the temp whose last use is furthest is the one in a frame slot.
    /// </summary>
    private static Superblock FusedBlock(IrOp op, IrType lane, Homes homes, ulong constLo, ulong constHi)
    {
        var sb = new Superblock(0x401000);
        sb.IMark(0x401000, 4);
        IrValue Xmm(int k) => sb.Get(GuestState.XmmOffset(k), IrType.V128);
        void Put(int k, IrValue v) => sb.Put(GuestState.XmmOffset(k), v);
        IrValue Fma(IrValue a, IrValue b, IrValue c) => sb.Triop(op, IrType.V128, a, b, c, lane);
        List<IrValue> Crowd(int count) =>
            [.. Enumerable.Range(0, count).Select(k => sb.Get(GuestState.YmmHiOffset(k), IrType.V128))];
        void PutBack(List<IrValue> crowd)
        {
            for (int k = 0; k < crowd.Count; k++) sb.Put(GuestState.YmmHiOffset((k + 1) % crowd.Count), crowd[k]);
        }
        switch (homes)
        {
            case Homes.BSpilled:
            {
                // b first and read last: the fourteenth register's taker steals b's.
                var b = Xmm(1);
                var crowd = Crowd(RegisterAllocator.XmmRegisters - 1);
                Put(3, Fma(Xmm(0), b, Xmm(2)));
                PutBack(crowd);
                Put(5, b);
                break;
            }
            case Homes.ResultSpilled:
            {
                // Every register busy across the operation, and the result read after all of them.
                var crowd = Crowd(RegisterAllocator.XmmRegisters);
                var (a, b, c) = (Xmm(0), Xmm(1), Xmm(2));
                var result = Fma(a, b, c);
                Put(4, a);
                Put(5, b);
                Put(6, c);
                PutBack(crowd);
                Put(3, result);
                break;
            }
            case Homes.OneTempThrice:
            {
                var a = Xmm(0);
                Put(3, Fma(a, a, a));
                break;
            }
            default:
            {
                var a = Xmm(0);
                var b = homes == Homes.BConstant ? IrValue.Constant128(IrType.V128, constLo, constHi) : Xmm(1);
                var c = Xmm(2);
                Put(3, Fma(a, b, c));
                if (homes != Homes.ResultInAsRegister) Put(4, a);
                if (homes != Homes.ResultInBsRegister) Put(5, b);
                if (homes != Homes.ResultInCsRegister) Put(6, c);
                break;
            }
        }
        sb.Next = U64(0x401004);
        return sb;
    }

    [Test]
    public void ScalarAddAndMultiplyGiveTheFirstNanWhenTheResultTakesTheSecondOperandsRegister(
        [Values(IrOp.FAdd, IrOp.FMul)] IrOp op, [Values(IrType.F32, IrType.F64)] IrType type)
    {
        using var m = new JitTestMachine();
        m.State->Xmm[0] = type == IrType.F64 ? 0xFFF8_0000_0000_0001UL : 0xFFC0_0001UL;
        m.State->Xmm[2] = type == IrType.F64 ? 0x7FF8_0000_0000_0002UL : 0x7FC0_0002UL;
        var sb = new Superblock(0x401000);
        sb.IMark(0x401000, 4);
        var a = sb.Get(GuestState.XmmOffset(0), type);
        var b = sb.Get(GuestState.XmmOffset(1), type);
        sb.Put(GuestState.XmmOffset(2), sb.Binop(op, type, a, b));
        sb.Put(GuestState.XmmOffset(3), a);
        sb.Next = U64(0x401004);
        Differential.Check(m, sb, "a and b NaN, b dies at the operation");
    }

    [Test]
    public void FloatComparesMatchTheEvaluatorForAllSixteenPredicates([Values(IrType.F32, IrType.F64)] IrType lane)
    {
        using var m = new JitTestMachine();
        var random = new Random((int)lane);
        for (int predicate = 0; predicate < 16; predicate++)
        {
            for (int q = 0; q < 4; q++) m.State->Xmm[q] = Pattern(random);
            var sb = new Superblock(0x401000);
            sb.IMark(0x401000, 4);
            var compare = sb.Triop(IrOp.VFCmp, IrType.V128, sb.Get(GuestState.XmmOffset(0), IrType.V128),
                sb.Get(GuestState.XmmOffset(1), IrType.V128), U8((ulong)predicate), lane);
            sb.Put(GuestState.XmmOffset(2), compare);
            sb.Next = U64(0x401004);
            Differential.Check(m, sb, $"predicate {predicate}");
        }
    }

    [Test]
    public void ConstantLaneExtractsAndInsertsMatchTheEvaluator([Values] bool insert,
        [Values(IrType.I8, IrType.I16, IrType.I32, IrType.I64, IrType.F32, IrType.F64)] IrType lane)
    {
        using var m = new JitTestMachine();
        var random = new Random((int)lane);
        for (int index = 0; index < 128 / lane.Bits(); index++)
        {
            for (int k = 0; k < 3; k++)
                for (int half = 0; half < 2; half++)
                    *(ulong*)((byte*)m.State + GuestState.XmmOffset(k) + 8 * half) = Pattern(random);
            m.State->Gpr[0] = Pattern(random);
            var sb = new Superblock(0x401000);
            sb.IMark(0x401000, 4);
            var v = sb.Get(GuestState.XmmOffset(0), IrType.V128);
            var at = U8((ulong)index);
            if (insert)
            {
                var scalar = sb.Get(GuestState.OffRax, lane);
                sb.Put(GuestState.XmmOffset(2), sb.Triop(IrOp.VInsertLane, IrType.V128, v, at, scalar, lane));
            }
            else sb.Put(GuestState.OffRbx, sb.Binop(IrOp.VExtractLane, lane, v, at, lane));
            sb.Next = U64(0x401004);
            Differential.Check(m, sb, $"index {index}");
        }
    }

    [Test]
    public void MoveMasksMatchTheEvaluator([Values(IrType.I8, IrType.I32, IrType.F32, IrType.I64, IrType.F64)] IrType lane)
    {
        using var m = new JitTestMachine();
        var random = new Random((int)lane);
        for (int round = 0; round < 40; round++)
        {
            for (int half = 0; half < 2; half++) *(ulong*)((byte*)m.State + GuestState.XmmOffset(0) + 8 * half) = Pattern(random);
            var sb = new Superblock(0x401000);
            sb.IMark(0x401000, 4);
            sb.Put(GuestState.OffRbx, sb.Unop(IrOp.VMoveMask, IrType.I32, sb.Get(GuestState.XmmOffset(0), IrType.V128), lane));
            sb.Next = U64(0x401004);
            Differential.Check(m, sb, $"round {round}");
        }
    }

    /// <summary>A qword of float edge values, lane-boundary integers or random bits.</summary>
    private static ulong Pattern(Random random) => random.Next(5) switch
    {
        0 => F64Edges[random.Next(F64Edges.Length)],
        1 => F32Edges[random.Next(F32Edges.Length)] | (ulong)F32Edges[random.Next(F32Edges.Length)] << 32,
        2 => 0x7F80_8000_7FFF_FFFFUL ^ (ulong)random.NextInt64() & 0x0101_0101_0101_0101UL,
        _ => (ulong)random.NextInt64() ^ (ulong)random.Next() << 63,
    };
}
