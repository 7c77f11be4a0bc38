using System.Runtime.InteropServices;
using Memcheck.Engine.Cpu;
using Memcheck.Engine.Ir;
using static Memcheck.Engine.Ir.IrType;

namespace Memcheck.Engine.Tests.Ir;

/// <summary>
/// Random superblocks shaped like lifted code: repeated Gets and Puts of overlapping register slots,
/// constants, flag-like comparisons, loads and stores (a few out of bounds), side exits, GetI/PutI
/// and helper calls. The same seed always builds the same block.
/// </summary>
internal static unsafe class RandomBlocks
{
    public const int MemorySize = 256;

    private static readonly IrType[] IntTypes = [I8, I16, I32, I64];
    private static readonly IrOp[] BinaryOps = [IrOp.Add, IrOp.Sub, IrOp.Mul, IrOp.And, IrOp.Or, IrOp.Xor, IrOp.MulHiU, IrOp.MulHiS];
    private static readonly IrOp[] ShiftOps = [IrOp.Shl, IrOp.Shr, IrOp.Sar, IrOp.Rol, IrOp.Ror];
    private static readonly IrOp[] Comparisons = [IrOp.CmpEQ, IrOp.CmpNE, IrOp.CmpLTU, IrOp.CmpLTS, IrOp.CmpLEU, IrOp.CmpLES];

    /// <summary>Reads RDI, writes RSI: a dirty helper with declared effects.</summary>
    public static readonly IrHelper Dirty = new("dirty", &DirtyHelper, 1, isPure: false,
        stateReads: [(GuestState.OffRdi, 8)], stateWrites: [(GuestState.OffRsi, 8)]);

    public static readonly IrHelper Pure = new("pure", &PureHelper, 2, isPure: true);

    [UnmanagedCallersOnly]
    private static ulong DirtyHelper(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3)
    {
        state->Gpr[6] = state->Gpr[7] * 3 + a0;
        return a0 ^ 0x5555;
    }

    [UnmanagedCallersOnly]
    private static ulong PureHelper(GuestState* state, ulong a0, ulong a1, ulong a2, ulong a3) => a0 * 31 + a1;

    public static Superblock Build(int seed, ulong memoryBase)
    {
        var rng = new Random(seed);
        var sb = new Superblock(0x1000);
        var temps = new Dictionary<IrType, List<IrValue>>();
        foreach (var t in new[] { I1, I8, I16, I32, I64, V128 }) temps[t] = [];

        IrValue Pick(IrType type)
        {
            var pool = temps[type];
            if (pool.Count == 0 || rng.Next(4) == 0)
            {
                ulong c = rng.Next(3) switch { 0 => 0, 1 => (ulong)rng.Next(4), _ => (ulong)rng.NextInt64() };
                return type == V128 ? IrValue.Constant128(V128, c, (ulong)rng.NextInt64()) : IrValue.Constant(type, c);
            }
            return pool[rng.Next(pool.Count)];
        }
        void Keep(IrValue v) => temps[v.Type].Add(v);
        IrValue Address() => sb.Binop(IrOp.Add, IrValue.U64(memoryBase),
            sb.Binop(IrOp.And, Pick(I64), IrValue.U64(rng.Next(40) == 0 ? 0xFFFF_FFF8 : 0xF8)));

        ulong pc = 0x1000;
        int length = rng.Next(5, 60);
        for (int n = 0; n < length; n++)
        {
            if (rng.Next(4) == 0)
            {
                sb.IMark(pc, 3);
                pc += 3;
            }
            IrType type = IntTypes[rng.Next(IntTypes.Length)];
            int slot = rng.Next(6) * 8 + (rng.Next(4) == 0 ? 1 : 0);
            switch (rng.Next(17))
            {
                case 0 or 1 or 2:
                    Keep(sb.Get(slot, type));
                    break;
                case 3 or 4:
                    sb.Put(slot, Pick(type));
                    break;
                case 5 or 6:
                    Keep(sb.Binop(BinaryOps[rng.Next(BinaryOps.Length)], Pick(type), Pick(type)));
                    break;
                case 7:
                    Keep(sb.Binop(ShiftOps[rng.Next(ShiftOps.Length)], type, Pick(type), IrValue.U8((ulong)rng.Next(type.Bits()))));
                    break;
                case 8:
                    Keep(sb.Binop(Comparisons[rng.Next(Comparisons.Length)], I1, Pick(type), Pick(type)));
                    break;
                case 9:
                {
                    IrType wide = IntTypes[rng.Next(IntTypes.Length)];
                    if (wide.Bits() > type.Bits()) Keep(sb.Unop(rng.Next(2) == 0 ? IrOp.ZeroExtend : IrOp.SignExtend, wide, Pick(type)));
                    else Keep(sb.Unop(IrOp.Truncate, wide, Pick(type)));
                    Keep(sb.Unop(IrOp.ZeroExtend, type, Pick(I1)));
                    break;
                }
                case 10:
                    Keep(sb.Ite(Pick(I1), Pick(type), Pick(type)));
                    break;
                case 11:
                    Keep(sb.Load(type, Address()));
                    break;
                case 12:
                    sb.Store(Address(), Pick(type));
                    break;
                case 13:
                    sb.Exit(Pick(I1), 0x9000 + (ulong)n, rng.Next(2) == 0 ? JumpKind.Boring : JumpKind.SigFpeIntDiv);
                    break;
                case 14:
                    if (rng.Next(2) == 0) Keep(sb.Call(Dirty, Pick(I64)));
                    else Keep(sb.Call(Pure, Pick(I64), Pick(I64)));
                    break;
                case 15:
                    if (rng.Next(2) == 0) Keep(sb.GetI(GuestState.OffFpReg0, I64, 4, Pick(I32), rng.Next(-3, 8)));
                    else sb.PutI(GuestState.OffFpReg0, 4, Pick(I32), rng.Next(-3, 8), Pick(I64));
                    Keep(sb.Get(GuestState.OffFpReg0 + 8 * rng.Next(4), I64));
                    break;
                case 16:
                    if (rng.Next(2) == 0) sb.Put(GuestState.XmmOffset(rng.Next(2)), Pick(V128));
                    Keep(sb.Get(GuestState.XmmOffset(rng.Next(2)), V128));
                    break;
            }
        }
        sb.Next = rng.Next(3) == 0 ? sb.Binop(IrOp.And, Pick(I64), IrValue.U64(0xFFFF)) : IrValue.U64(pc);
        return sb;
    }
}
