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
